package io.gatehouse.itest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.ProcessTree;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.Assertions;

/**
 * One gatehouse for a restart or signal test: a temp directory with its config, pid file, error
 * log and the event log of its {@link RestartProbeBackend} children, and the running jar.
 *
 * <p>Not thread-safe, except the read-only accessors.
 */
final class RestartFixture implements AutoCloseable {

    /** How long a test waits for a log line or a state it expects. */
    static final Duration AWAIT = Duration.ofSeconds(20);

    final Path dir;
    final int port;
    final Path conf;
    final Path pidFile;
    final Path errorLog;
    final Path eventLog;
    final Path socket;
    GatehouseProcess gatehouse;

    RestartFixture(String prefix, int port) {
        this.dir = TempDirs.create(prefix);
        this.port = port;
        this.conf = dir.resolve("gh.conf");
        this.pidFile = dir.resolve("gh.pid");
        this.errorLog = dir.resolve("error.log");
        this.eventLog = dir.resolve("events.log");
        this.socket = dir.resolve("probe.sock");
    }

    /** The bin-path of a {@link RestartProbeBackend} child in a small, quick-starting JVM. */
    String probeBinPath(boolean ignoreTerm) {
        return Path.of(System.getProperty("java.home"), "bin", "java")
                + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx48m -Xss512k -cp "
                + System.getProperty("java.class.path") + " " + RestartProbeBackend.class.getName() + " " + eventLog
                + (ignoreTerm ? " ignore-term" : "");
    }

    /**
     * Writes the config: 127.0.0.1:port, pid file, error log, drain limit, and the probe backend
     * under {@code /} with {@code backendOptions} added; {@code extraLines} go before it.
     */
    void writeConfig(int drainSeconds, List<String> backendOptions, String... extraLines) {
        List<String> lines = new ArrayList<>(List.of(
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.pid-file = \"" + pidFile + "\"",
                "server.errorlog = \"" + errorLog + "\"",
                "server.feature-flags = ( \"server.graceful-shutdown-timeout\" => " + drainSeconds + " )"));
        lines.addAll(List.of(extraLines));
        List<String> options = new ArrayList<>(List.of(
                "\"socket\" => \"" + socket + "\"", "\"check-local\" => \"disable\""));
        options.addAll(backendOptions);
        lines.add("fastcgi.server = ( \"/\" => ( \"probe\" => ( " + String.join(", ", options) + " ) ) )");
        writeRaw(String.join("\n", lines) + "\n");
    }

    void writeRaw(String text) {
        try {
            Files.writeString(conf, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    GatehouseProcess start() {
        gatehouse = GatehouseProcess.start(conf, port);
        return gatehouse;
    }

    /** As {@link #start()}, with {@code jvmOptions} before {@code -jar}. */
    GatehouseProcess start(List<String> jvmOptions) {
        gatehouse = GatehouseProcess.start(conf, port, jvmOptions);
        return gatehouse;
    }

    String errorLogText() {
        return read(errorLog);
    }

    List<String> events() {
        String text = read(eventLog);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts lines of the error log containing {@code text}. */
    long errorLogCount(String text) {
        return errorLogText().lines().filter(line -> line.contains(text)).count();
    }

    /** Waits until the error log has at least {@code count} lines containing {@code text}. */
    void awaitErrorLog(String text, long count) {
        await("error log line \"" + text + "\" x" + count, () -> errorLogCount(text) >= count);
    }

    void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                Assertions.fail("timed out after " + AWAIT + " waiting for " + what + "\nerror log:\n"
                        + tail(errorLogText()) + "\nprocess log:\n" + (gatehouse == null ? "" : gatehouse.logTail()));
            }
            sleepMillis(10);
        }
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** GET {@code path} on a new connection. */
    RawHttpClient.Response get(String path) throws IOException {
        try (RawHttpClient client = RawHttpClient.connect(port, RestartLoad.REQUEST_TIMEOUT_MILLIS)) {
            return client.get(path, true);
        }
    }

    /** The pids that answer {@code /pid} over a few requests (max-procs children take turns). */
    long servingPid() throws IOException {
        RawHttpClient.Response response = get("/pid");
        Assertions.assertEquals(200, response.status(), response.body());
        return Long.parseLong(response.body().strip().substring("pid=".length()));
    }

    static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Socket files of the probe backend left in the directory. */
    List<Path> socketFiles() {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("probe.sock")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Children of gatehouse now (its backends). */
    List<Long> children() {
        return ProcessTree.children(gatehouse.pid()).stream().map(ProcessTree.ProcInfo::pid).toList();
    }

    @Override
    public void close() {
        try {
            if (gatehouse != null) {
                gatehouse.close();
            }
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }
}
