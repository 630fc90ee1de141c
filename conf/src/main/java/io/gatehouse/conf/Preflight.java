package io.gatehouse.conf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code -tt}: what can be checked without binding or spawning. Each problem is one line naming the
 * {@code file:line:col} of the setting: a bin-path that is not an executable regular file, a socket
 * directory that is missing (and cannot be created) or not writable, a socket path that exists and
 * is not a socket (gatehouse never deletes such a file), a missing document root, a log or pid-file
 * directory that is not writable, a listener port below 1024 without root (unless
 * {@code server.systemd-socket-activation} is enabled: systemd may pass that socket).
 *
 * <p>Stateless; thread-safe. It reads the file system at the moment it is called.
 */
public final class Preflight {

    /** Ports below this need root (or CAP_NET_BIND_SERVICE, which we do not probe). */
    private static final int FIRST_UNPRIVILEGED_PORT = 1024;
    private static final int SOCKET_TYPE = 0140000;
    private static final int FILE_TYPE_MASK = 0170000;

    private Preflight() {
    }

    /** The problems of {@code config}; an empty list means the preflight passed. */
    public static List<String> check(ServerConfig config) {
        return check(config, effectiveUid());
    }

    /** As {@link #check(ServerConfig)}, for a process running as {@code uid}. */
    static List<String> check(ServerConfig config, long uid) {
        List<String> problems = new ArrayList<>();
        for (BackendConfig backend : config.allBackends()) {
            checkBackend(backend, problems);
        }
        checkDocumentRoot(config.global(), problems);
        for (ConditionalScope conditional : config.conditionals()) {
            checkDocumentRoot(conditional.scope(), problems);
        }
        checkWritableFile(config.pidFile(), config, "server.pid-file", problems);
        checkWritableFile(config.errorLog(), config, "server.errorlog", problems);
        checkWritableFile(config.breakageLog(), config, "server.breakagelog", problems);
        checkWritableFile(config.accessLog(), config, "accesslog.filename", problems);
        for (ListenerConfig listener : config.listeners()) {
            if (listener.unixPath().isPresent()) {
                Path path = listener.unixPath().get();
                checkSocketDirectory(path, listener.location(), "listener", problems);
                checkNotOtherFile(path, listener.location(), "listener", problems);
            } else if (listener.port() < FIRST_UNPRIVILEGED_PORT && uid != 0 && !config.systemdSocketActivation()) {
                problems.add(listener.location() + ": listener " + listener.token() + " uses port " + listener.port()
                        + ", below " + FIRST_UNPRIVILEGED_PORT + ", which needs root (running as uid " + uid + ")");
            }
        }
        return List.copyOf(problems);
    }

    private static void checkBackend(BackendConfig backend, List<String> problems) {
        if (backend.isSpawned()) {
            Path program = Path.of(backend.binPath().get().get(0));
            SourceLocation at = backend.optionLocation("bin-path");
            if (!Files.exists(program)) {
                problems.add(at + ": bin-path " + program + " does not exist, expected an executable regular file");
            } else if (!Files.isRegularFile(program)) {
                problems.add(at + ": bin-path " + program + " is not a regular file, expected an executable regular file");
            } else if (!Files.isExecutable(program)) {
                problems.add(at + ": bin-path " + program + " is not executable, expected an executable regular file");
            }
        }
        if (backend.socket().isEmpty()) {
            return;
        }
        Path socket = backend.socket().get();
        SourceLocation at = backend.optionLocation("socket");
        if (!backend.isSpawned()) {
            checkNotOtherFile(socket, at, "backend socket", problems);
            return;
        }
        checkSocketDirectory(socket, at, "backend socket", problems);
        for (int proc = 0; proc < backend.maxProcs(); proc++) {
            checkNotOtherFile(Path.of(socket + "-" + proc), at, "backend socket", problems);
        }
    }

    private static void checkSocketDirectory(Path socket, SourceLocation at, String what, List<String> problems) {
        Path directory = socket.toAbsolutePath().getParent();
        if (Files.isDirectory(directory)) {
            if (!Files.isWritable(directory)) {
                problems.add(at + ": " + what + " directory " + directory + " is not writable");
            }
            return;
        }
        Optional<Path> ancestor = nearestExisting(directory);
        if (ancestor.isEmpty() || !Files.isDirectory(ancestor.get()) || !Files.isWritable(ancestor.get())) {
            problems.add(at + ": " + what + " directory " + directory + " does not exist and cannot be created"
                    + ancestor.map(a -> " (" + a + (Files.isDirectory(a) ? " is not writable)" : " is not a directory)"))
                            .orElse(""));
        }
    }

    private static void checkNotOtherFile(Path path, SourceLocation at, String what, List<String> problems) {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !isSocket(path)) {
            problems.add(at + ": " + what + " path " + path + " exists and is not a socket; gatehouse never deletes"
                    + " it: remove it or choose another path");
        }
    }

    private static void checkDocumentRoot(Scope scope, List<String> problems) {
        if (!scope.directives().contains("server.document-root")) {
            return;
        }
        Path root = scope.documentRoot().get();
        String at = scope.locationOf("server.document-root").map(SourceLocation::toString).orElse("<api>:0:0");
        if (!Files.exists(root)) {
            problems.add(at + ": server.document-root " + root + " does not exist");
        } else if (!Files.isDirectory(root)) {
            problems.add(at + ": server.document-root " + root + " is not a directory");
        }
    }

    private static void checkWritableFile(Optional<Path> file, ServerConfig config, String directive,
            List<String> problems) {
        if (file.isEmpty()) {
            return;
        }
        String at = config.locationOf(directive).map(SourceLocation::toString).orElse(SourceLocation.API.toString());
        Path path = file.get().toAbsolutePath();
        Path directory = path.getParent();
        if (Files.exists(path)) {
            if (Files.isDirectory(path) || !Files.isWritable(path)) {
                problems.add(at + ": " + directive + " " + path + " is not a writable file");
            }
        } else if (!Files.isDirectory(directory)) {
            problems.add(at + ": " + directive + " directory " + directory + " does not exist");
        } else if (!Files.isWritable(directory)) {
            problems.add(at + ": " + directive + " directory " + directory + " is not writable");
        }
    }

    private static Optional<Path> nearestExisting(Path directory) {
        for (Path p = directory; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static boolean isSocket(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & FILE_TYPE_MASK) == SOCKET_TYPE;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            try {
                return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
            } catch (IOException unreadable) {
                return false;
            }
        }
    }

    /** The effective uid from {@code /proc/self/status}; without /proc, 0 for user "root", else -1 (unknown). */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Fall through to the user name below.
        }
        return "root".equals(System.getProperty("user.name")) ? 0 : -1;
    }
}
