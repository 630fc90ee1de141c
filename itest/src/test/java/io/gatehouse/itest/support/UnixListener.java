package io.gatehouse.itest.support;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link UnixListenerMain} process: a program of its own, listening on a unix socket, that
 * accepts connections and never reads from them; run as this user (a backend that never reads a
 * request) or as {@link OtherUser} (a listener another user planted where gatehouse's backend
 * socket goes). {@link #close} ends its standard input, which ends it, and waits for it.
 *
 * <p>Not thread-safe for close; {@link #accepted()} may be called from any thread.
 */
public final class UnixListener implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(5);

    private final Process process;
    private final Path socket;
    private final Path dir;
    private final Path output;

    private UnixListener(Process process, Path socket, Path dir, Path output) {
        this.process = process;
        this.socket = socket;
        this.dir = dir;
        this.output = output;
    }

    /**
     * Starts the listener on {@code socket} (which must not exist), preceded by {@code userSwitch}
     * (empty: as ourselves), and waits until it listens.
     */
    static UnixListener start(Path socket, List<String> userSwitch) {
        Path dir = TempDirs.create("gh-lsn");
        Path output = dir.resolve("out");
        List<String> command = new ArrayList<>(userSwitch);
        // Small and quick to start; no perf-data file of that user's left in /tmp.
        command.addAll(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-cp", testClasses().toString(), UnixListenerMain.class.getName(), socket.toString()));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            UnixListener listener = new UnixListener(process, socket, dir, output);
            try {
                LogFiles.await(output, UnixListenerMain.LISTENING, START_TIMEOUT,
                        () -> "listener " + command + (process.isAlive() ? "" : " exited " + process.exitValue()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            } catch (AssertionError e) {
                listener.close();
                throw e;
            }
            return listener;
        } catch (IOException e) {
            TempDirs.deleteRecursively(dir);
            throw new AssertionError("cannot start " + command + ": " + e, e);
        }
    }

    /** Listens on {@code socket} as this user: a backend that accepts and never reads the request. */
    public static UnixListener start(Path socket) {
        return start(socket, List.of());
    }

    public long pid() {
        return process.pid();
    }

    public Path socket() {
        return socket;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Connections accepted so far. */
    public long accepted() {
        return LogFiles.read(output).lines().filter(UnixListenerMain.ACCEPTED::equals).count();
    }

    /** Ends the listener (its socket file stays: it lives in the test's directory) and waits for it. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!GatehouseProcess.waitFor(process, EXIT_TIMEOUT)) {
                process.destroyForcibly();
                GatehouseProcess.waitFor(process, EXIT_TIMEOUT);
            }
        } catch (IOException e) {
            process.destroyForcibly();
            GatehouseProcess.waitFor(process, EXIT_TIMEOUT);
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    /** The directory this class was loaded from: JDK classes and it are all the listener needs. */
    private static Path testClasses() {
        try {
            return Path.of(UnixListenerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "listener pid " + process.pid() + " on " + socket;
    }
}
