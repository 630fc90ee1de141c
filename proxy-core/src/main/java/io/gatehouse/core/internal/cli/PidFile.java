package io.gatehouse.core.internal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import io.gatehouse.spawn.RuntimeDirectory;
import io.gatehouse.spawn.SpawnException;

/**
 * {@code server.pid-file}: written once the server serves, kept across restarts (same pid),
 * removed when it stops. A file naming a gatehouse that still runs refuses the start, so two
 * instances of one config cannot fight over its sockets; a stale one is overwritten. Its
 * directory must be private to gatehouse's user (GH-PID-002): the state file lives beside it.
 *
 * <p>Thread-safe.
 */
public final class PidFile {

    /** A pid file holds one number and a newline; anything longer is not ours. */
    private static final int MAX_BYTES = 64;

    private final Path path;
    private final long pid = ProcessHandle.current().pid();
    private boolean written;

    private PidFile(Path path) {
        this.path = path;
    }

    /**
     * Checks that {@code path} is in a directory only gatehouse's user can write and names no
     * running gatehouse (other than this process).
     *
     * @throws IOException GH-PID-001 naming the running pid; GH-PID-002 naming what is wrong with
     *                     the directory
     */
    public static PidFile claim(Path path) throws IOException {
        checkDirectory(path);
        OptionalLong existing = read(path);
        long self = ProcessHandle.current().pid();
        if (existing.isPresent() && existing.getAsLong() != self && isGatehouse(existing.getAsLong())) {
            throw new IOException("GH-PID-001 pid file " + path + " names gatehouse pid " + existing.getAsLong()
                    + ", which is running: stop it first (gatehouse -s stop -f FILE) or give this one its own"
                    + " server.pid-file");
        }
        return new PidFile(path);
    }

    /**
     * The pid file decides which process {@code gatehouse -s} signals, and the state file beside it
     * which processes the next start kills: another user must not be able to plant or swap either.
     */
    private static void checkDirectory(Path path) throws IOException {
        Path dir = path.toAbsolutePath().normalize().getParent();
        Optional<String> problem;
        try {
            problem = RuntimeDirectory.problem(dir);
        } catch (SpawnException e) {
            throw new IOException("GH-PID-002 pid file " + path + ": " + e.getMessage(), e);
        }
        if (problem.isPresent()) {
            throw new IOException("GH-PID-002 pid file " + path + ": its directory is not private to gatehouse's user: "
                    + problem.get() + ": put server.pid-file in a directory only that user owns and can write"
                    + " (e.g. /run/gatehouse/gatehouse.pid)");
        }
    }

    public Path path() {
        return path;
    }

    /**
     * Writes this process's pid atomically (a reader never sees a half-written file) through a new
     * file with an unpredictable name, so nothing planted under a known name is written through.
     */
    public synchronized void write() throws IOException {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp-" + UUID.randomUUID());
        Files.write(temp, (pid + "\n").getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try {
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        written = true;
    }

    /** Removes the file if it still names this process. Idempotent. */
    public synchronized void remove() {
        if (!written) {
            return;
        }
        written = false;
        try {
            OptionalLong current = read(path);
            if (current.isPresent() && current.getAsLong() == pid) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("gatehouse: cannot remove pid file " + path + ": " + e.getMessage());
        }
    }

    /**
     * The pid in {@code path}; empty when the file does not exist.
     *
     * @throws IOException when it cannot be read or holds no pid
     */
    public static OptionalLong read(Path path) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        if (bytes.length > MAX_BYTES) {
            throw new IOException("pid file " + path + " is " + bytes.length + " bytes, more than the limit of "
                    + MAX_BYTES + ": not a pid file");
        }
        String text = new String(bytes, StandardCharsets.US_ASCII).trim();
        try {
            long pid = Long.parseLong(text);
            if (pid < 1) {
                throw new NumberFormatException("not positive");
            }
            return OptionalLong.of(pid);
        } catch (NumberFormatException e) {
            throw new IOException("pid file " + path + " holds \"" + text + "\", not a pid");
        }
    }

    /** True when {@code pid} runs and its command line is a gatehouse's (the jar or the main class). */
    public static boolean isGatehouse(long pid) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String text = new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ');
            return text.contains("gatehouse.jar") || text.contains("io.gatehouse.core.Main");
        } catch (IOException e) {
            return false;
        }
    }
}
