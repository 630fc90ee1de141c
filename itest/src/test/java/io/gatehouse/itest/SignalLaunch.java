package io.gatehouse.itest;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.ProcessTree;
import org.junit.jupiter.api.Assertions;

/**
 * The built jar started for signal tests where {@link GatehouseProcess} does not fit: with
 * SIGINT at its default disposition whatever the test runner inherited (a job started in the
 * background by a non-interactive shell has SIGINT ignored, and an ignored signal stays ignored
 * across exec, so the JVM would install no handler; perl, which every Debian has, resets it
 * before exec'ing java), with extra environment variables, or expected to exit by itself.
 *
 * <p>Not thread-safe.
 */
final class SignalLaunch implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Path log;
    private final String marker;

    private SignalLaunch(Process process, Path log, String marker) {
        this.process = process;
        this.log = log;
        this.marker = marker;
    }

    /** Runs {@code java -jar gatehouse.jar args} in {@code dir}; output goes to {@code dir/out.log}. */
    static SignalLaunch start(Path dir, Map<String, String> environment, String... args) {
        return start(dir, environment, List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die $!"), args);
    }

    /**
     * Runs {@code launcher java -jar gatehouse.jar args} in {@code dir}: {@code launcher} is a
     * command that resets SIGINT to its default and exec's its arguments (keeping its pid).
     */
    static SignalLaunch start(Path dir, Map<String, String> environment, List<String> launcher, String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:+IgnoreUnrecognizedVMOptions", "--enable-native-access=ALL-UNNAMED",
                "-jar", GatehouseProcess.jar().toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("out.log");
        String marker = UUID.randomUUID().toString();
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put(GatehouseProcess.RUN_MARKER, marker);
        try {
            return new SignalLaunch(builder.start(), log, marker);
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command, e);
        }
    }

    /** Waits until 127.0.0.1:{@code port} accepts; fails with the output if the process exits first. */
    SignalLaunch awaitPort(int port) {
        long deadline = System.nanoTime() + GatehouseProcess.START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Assertions.assertTrue(process.isAlive(), "gatehouse exited during start:\n" + output());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return this;
            } catch (IOException e) {
                RestartFixture.sleepMillis(20);
            }
        }
        throw new AssertionError("gatehouse did not accept on " + port + ":\n" + output());
    }

    long pid() {
        return process.pid();
    }

    void signal(String name) {
        ProcessTree.signal(process.pid(), name);
    }

    /** Waits for the exit; fails with the output on timeout. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            Assertions.fail("gatehouse still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        return LogFiles.read(log);
    }

    /** Processes carrying this launch's marker other than the gatehouse itself (its backends). */
    List<ProcessTree.ProcInfo> leftovers() {
        return ProcessTree.withEnvironment(GatehouseProcess.RUN_MARKER, marker).stream()
                .filter(p -> p.pid() != process.pid() && !p.isZombie() && !p.comm().equals("perl")).toList();
    }

    /** Stops what is still running (TERM, then KILL) and fails if anything outlived the gatehouse. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            signal("TERM");
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        List<ProcessTree.ProcInfo> left = ProcessTree.awaitGone(leftovers(), Duration.ofSeconds(5));
        if (!left.isEmpty()) {
            ProcessTree.killAll(left);
            Assertions.fail("processes outlived gatehouse:\n" + ProcessTree.describeAll(left));
        }
    }
}
