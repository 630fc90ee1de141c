package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import io.gatehouse.spawn.SpawnEvent;
import io.gatehouse.spawn.SpawnException;
import io.gatehouse.spawn.SpawnSpec;

/**
 * Brings up one proc of a backend: probes its address, clears a stale socket file, binds and
 * listens in our process, spawns the child with the socket as fd 0 and closes our copy. Used for
 * the first start and for every respawn, so both follow the same rules.
 *
 * <p>Immutable and thread-safe; {@link #launch} may run for different procs concurrently.
 */
public final class ProcLauncher {

    /** A probe of a local TCP port answers at once; anything slower is not a live backend of ours. */
    private static final int TCP_PROBE_TIMEOUT_MILLIS = 500;
    /** Socket directories gatehouse creates: only its own user reaches the sockets. */
    private static final Set<PosixFilePermission> NEW_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    /** What {@link #launch} produced. */
    public sealed interface Launch permits External, Spawned {
    }

    /** Something else already serves the address; nothing was spawned. */
    public record External() implements Launch {
    }

    /**
     * A child now serves the address.
     *
     * @param socketInode the inode of the socket file we bound, or 0 for TCP
     */
    public record Spawned(long pid, long startTime, long socketInode) implements Launch {
    }

    private final NativeLib lib;
    private final SpawnSpec spec;
    private final Path program;
    private final List<String> envp;
    private final EventSink events;
    private final List<SocketAddress> addresses;

    public ProcLauncher(NativeLib lib, SpawnSpec spec, Map<String, String> ourEnvironment, EventSink events)
            throws SpawnException {
        this.lib = lib;
        this.spec = spec;
        this.program = resolveProgram(spec.label(), spec.argv().get(0), ourEnvironment.get("PATH"));
        this.envp = ChildEnvironment.toEnvp(
                ChildEnvironment.build(ourEnvironment, spec.copyEnvironment(), spec.environment()));
        this.events = events;
        List<SocketAddress> list = new ArrayList<>();
        for (int n = 0; n < spec.procs(); n++) {
            list.add(addressOf(spec, n));
        }
        this.addresses = List.copyOf(list);
    }

    public List<SocketAddress> addresses() {
        return addresses;
    }

    /** The socket path of proc {@code n}, or empty for a TCP backend. */
    public Optional<Path> socketPath(int n) {
        return addresses.get(n) instanceof UnixDomainSocketAddress unix
                ? Optional.of(unix.getPath()) : Optional.empty();
    }

    /** {@code /run/php.sock-0} or {@code 127.0.0.1:9001}. */
    public String addressText(int n) {
        SocketAddress address = addresses.get(n);
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        return inet.getHostString() + ":" + inet.getPort();
    }

    /** {@code backend "php" proc 0 (/run/php.sock-0)}, the start of every error message. */
    public String context(int n) {
        return "backend \"" + spec.label() + "\" proc " + n + " (" + addressText(n) + ")";
    }

    public Path program() {
        return program;
    }

    /**
     * Brings up proc {@code n}. Nothing is left behind on failure: no socket file, no descriptor.
     */
    public Launch launch(int n) throws SpawnException {
        Optional<Path> path = socketPath(n);
        int fd;
        long inode = 0;
        if (path.isPresent()) {
            if (!prepareSocketPath(n, path.get())) {
                return new External();
            }
            fd = ListenSocket.bindUnix(lib, path.get(), spec.backlog(), context(n));
            OptionalLong bound = SocketFiles.socketInode(path.get());
            inode = bound.orElse(0);
        } else {
            InetSocketAddress address = (InetSocketAddress) addresses.get(n);
            if (tcpServed(address)) {
                events.emit(SpawnEvent.Kind.EXTERNAL, n, 0, addressText(n), "something already listens there;"
                        + " using it and not spawning");
                return new External();
            }
            fd = ListenSocket.bindTcp(lib, address, spec.backlog(), context(n));
        }
        long pid;
        try {
            pid = PosixSpawner.spawn(lib, program, spec.argv(), envp, fd, spec.stderrFile(), workingDirectory(), context(n));
        } catch (SpawnException e) {
            if (path.isPresent()) {
                unlinkQuietly(path.get(), inode);
            }
            throw e;
        } finally {
            ListenSocket.close(lib, fd);
        }
        long startTime = ProcFs.stat(pid).map(ProcFs.Stat::startTime).orElse(0L);
        return new Spawned(pid, startTime, inode);
    }

    private Path workingDirectory() {
        Path parent = program.getParent();
        return parent == null ? Path.of("/") : parent;
    }

    /**
     * Makes {@code path} free for bind. Returns false when something of our own user already
     * serves there. The directory must be one nobody but us and root can change; a socket of
     * another user is neither adopted nor unlinked.
     */
    private boolean prepareSocketPath(int n, Path path) throws SpawnException {
        Path parent = path.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            try {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(NEW_DIRECTORY));
            } catch (IOException e) {
                throw new SpawnException("GH-SPAWN-007 " + context(n) + ": cannot create the socket directory "
                        + parent + ": " + e + ": create it or choose another socket path", e);
            }
        }
        if (parent != null) {
            checkSocketDirectory(n, parent);
        }
        FileTrust.Attributes existing;
        try {
            existing = FileTrust.Attributes.of(path);
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            throw new SpawnException("GH-SPAWN-002 " + context(n) + ": cannot inspect " + path + ": " + e, e);
        }
        if (!existing.isSocket()) {
            throw new SpawnException("GH-SPAWN-002 " + context(n) + ": " + path + " exists and is not a socket;"
                    + " gatehouse never deletes it: remove it yourself or choose another socket path");
        }
        if (existing.uid() != lib.euid()) {
            throw new SpawnException("GH-SPAWN-010 " + context(n) + ": " + path + " is a socket owned by "
                    + FileTrust.owner(path, existing.uid()) + ", not by gatehouse's user (uid " + lib.euid() + "):"
                    + " gatehouse never adopts or unlinks another user's socket: stop what serves it and remove it,"
                    + " or choose another socket path");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // non-blocking: a live listener with a full backlog must not hang the probe
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            events.emit(SpawnEvent.Kind.EXTERNAL, n, 0, path.toString(),
                    "socket is already used; using it and not spawning");
            return false;
        } catch (ConnectException refused) {
            OptionalLong inode = SocketFiles.socketInode(path);
            if (inode.isPresent()) {
                unlinkQuietly(path, inode.getAsLong());
                events.emit(SpawnEvent.Kind.STALE_SOCKET_REMOVED, n, 0, path.toString(), "nobody listened there");
            }
            return true;
        } catch (IOException e) {
            if (!SocketFiles.exists(path)) {
                return true;
            }
            throw new SpawnException("GH-SPAWN-002 " + context(n) + ": probing " + path + " failed: " + e
                    + ": check who owns the socket and its permissions", e);
        }
    }

    /**
     * Refuses a socket directory that someone other than us or root could change: they could
     * swap our socket for theirs and receive our users' requests.
     */
    private void checkSocketDirectory(int n, Path dir) throws SpawnException {
        Optional<FileTrust.Problem> problem;
        try {
            problem = FileTrust.socketDirectoryProblem(dir, lib.euid());
        } catch (IOException e) {
            throw new SpawnException("GH-SPAWN-007 " + context(n) + ": cannot inspect the socket directory " + dir
                    + ": " + e, e);
        }
        if (problem.isEmpty()) {
            return;
        }
        boolean itself = problem.get().path().equals(dir.toAbsolutePath().normalize());
        String what = context(n) + ": socket directory " + (itself ? "" : dir + ": ") + problem.get().describe();
        throw new SpawnException(switch (problem.get().kind()) {
            case FOREIGN_OWNER -> "GH-SPAWN-010 " + what + ", not by gatehouse's user (uid " + lib.euid()
                    + ") or root: that user could replace the socket, so gatehouse does not use it: choose a"
                    + " directory of gatehouse's own (e.g. /run/gatehouse) or remove " + problem.get().path();
            case WRITABLE_BY_OTHERS -> "GH-SPAWN-011 " + what + ": anyone could replace the socket: remove the"
                    + " write permission of group and others (chmod go-w), add the sticky bit (chmod +t) or choose"
                    + " another directory";
            case MISSING, NOT_A_DIRECTORY -> "GH-SPAWN-007 " + what + ": create it or choose another socket path";
        });
    }

    private static boolean tcpServed(InetSocketAddress address) {
        try (SocketChannel probe = SocketChannel.open()) {
            probe.socket().connect(address, TCP_PROBE_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void unlinkQuietly(Path path, long inode) {
        try {
            SocketFiles.unlinkIfOurs(path, inode);
        } catch (IOException e) {
            // the caller is already failing with a better message
        }
    }

    private static SocketAddress addressOf(SpawnSpec spec, int n) {
        if (spec.socket().isPresent()) {
            return UnixDomainSocketAddress.of(Path.of(spec.socket().get().toAbsolutePath() + "-" + n));
        }
        InetSocketAddress base = spec.tcp().get();
        return base.isUnresolved() ? new InetSocketAddress(base.getHostString(), base.getPort() + n)
                : new InetSocketAddress(base.getAddress(), base.getPort() + n);
    }

    /**
     * argv[0] as an absolute path to an executable regular file: taken as is when it contains a
     * '/', else looked up in {@code PATH} (posix_spawn, unlike posix_spawnp, does no lookup).
     */
    static Path resolveProgram(String label, String argv0, String searchPath) throws SpawnException {
        if (argv0.contains("/")) {
            Path path = Path.of(argv0).toAbsolutePath();
            String problem = programProblem(path);
            if (problem != null) {
                throw new SpawnException("GH-SPAWN-001 backend \"" + label + "\": bin-path program " + path + " "
                        + problem + ": bin-path must name an executable regular file");
            }
            return path;
        }
        if (searchPath != null) {
            for (String dir : searchPath.split(":")) {
                if (!dir.isEmpty()) {
                    Path candidate = Path.of(dir, argv0).toAbsolutePath();
                    if (programProblem(candidate) == null) {
                        return candidate;
                    }
                }
            }
        }
        throw new SpawnException("GH-SPAWN-001 backend \"" + label + "\": bin-path program " + argv0
                + " is not an executable file in PATH (" + searchPath + "): give its absolute path");
    }

    private static String programProblem(Path path) {
        if (!Files.exists(path)) {
            return "does not exist";
        }
        if (!Files.isRegularFile(path)) {
            return "is not a regular file";
        }
        if (!Files.isExecutable(path)) {
            return "is not executable";
        }
        return null;
    }
}
