package io.gatehouse.core;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gatehouse in front of one {@link ScriptedBackend}, with its own error log and upload dir,
 * and the checks every engine test ends with: nothing left behind (no load on a host, no read
 * buffer, no descriptor, no spool file), and, with FastCGI keep-alive, a pool that still has all
 * its slots.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class EngineFixture implements Closeable {

    /** How gatehouse keeps connections to the backend. */
    enum Pool {
        /** A connection per request. */
        NONE,
        /** {@code keep-alive}, {@code max-connections} 0. */
        KEPT_UNLIMITED,
        /** {@code keep-alive}, {@code max-connections} 2. */
        KEPT_TWO;

        BackendConfig.Builder apply(BackendConfig.Builder builder) {
            return switch (this) {
                case NONE -> builder.keepAlive(false);
                case KEPT_UNLIMITED -> builder.keepAlive(true).maxConnections(0);
                case KEPT_TWO -> builder.keepAlive(true).maxConnections(2);
            };
        }
    }

    /** How long what a finished request held may take to be given back. */
    static final Duration SETTLE = Duration.ofSeconds(5);
    /** A limit for a step that should take milliseconds. */
    static final Duration PROMPTLY = Duration.ofSeconds(2);
    /** Gatehouse's connection is seen closed within this: the proof that an abandoned request let go. */
    static final Duration CLOSED_PROMPTLY = Duration.ofMillis(1500);

    private static final int BURST = 6;
    private static final Duration BURST_ANSWER_DELAY = Duration.ofMillis(60);

    final ScriptedBackend backend;
    final Pool pool;
    final Gatehouse gatehouse;
    final int port;
    final Path dir;
    final Path uploads;
    final Path errorLog;
    private final long baselineDescriptors;

    private EngineFixture(ScriptedBackend backend, Pool pool, Gatehouse gatehouse, int port, Path dir) {
        this.backend = backend;
        this.pool = pool;
        this.gatehouse = gatehouse;
        this.port = port;
        this.dir = dir;
        this.uploads = dir.resolve("uploads");
        this.errorLog = dir.resolve("error.log");
        this.baselineDescriptors = openDescriptors();
    }

    static EngineFixture start(ScriptedBackend.Transport transport, Pool pool) throws IOException {
        return start(transport, pool, UnaryOperator.identity());
    }

    static EngineFixture start(ScriptedBackend.Transport transport, Pool pool,
            UnaryOperator<BackendConfig.Builder> options) throws IOException {
        return start(ScriptedBackend.start(transport, 16), pool, options);
    }

    /** A gatehouse with {@code engine} for its options. */
    static EngineFixture start(ScriptedBackend.Transport transport, Pool pool, EngineOptions engine) throws IOException {
        return start(ScriptedBackend.start(transport, 16), pool, UnaryOperator.identity(), engine);
    }

    /** A gatehouse in front of {@code backend}, which it closes with itself. */
    static EngineFixture start(ScriptedBackend backend, Pool pool, UnaryOperator<BackendConfig.Builder> options)
            throws IOException {
        return start(backend, pool, options, EngineOptions.defaults());
    }

    private static EngineFixture start(ScriptedBackend backend, Pool pool, UnaryOperator<BackendConfig.Builder> options,
            EngineOptions engine) throws IOException {
        Path dir = null;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "gh-engine-");
            Files.createDirectory(dir.resolve("uploads"));
            BackendConfig config = options.apply(pool.apply(backend.config()
                    .disableTime(Duration.ofMillis(200)).connectTimeout(Duration.ofSeconds(2)))).build();
            int port = ProxyFixture.freePort();
            Gatehouse gatehouse = Gatehouse.start(ServerConfig.builder()
                    .route(Route.of("", Protocol.FASTCGI, config))
                    .errorLog(dir.resolve("error.log"))
                    .uploadDirs(List.of(dir.resolve("uploads")))
                    .listen("127.0.0.1", port).build(), engine);
            return new EngineFixture(backend, pool, gatehouse, port, dir);
        } catch (IOException | RuntimeException e) {
            backend.close();
            deleteTree(dir);
            throw e;
        }
    }

    RawClient client() throws IOException {
        return RawClient.connect(port);
    }

    /** A whole {@code Connection: close} GET. */
    RawHttp.Response get(String path) throws IOException {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: engine.test\r\nConnection: close\r\n\r\n",
                null);
    }

    String errorLogText() throws IOException {
        return Files.exists(errorLog) ? Files.readString(errorLog) : "";
    }

    /**
     * Every request has given back what it held: no host has load, no read buffer is out, the
     * process has no more descriptors than before the first request (the test has closed its
     * own sockets), and no spool file is left in the upload dir.
     */
    void assertNothingLeftBehind() throws Exception {
        boolean settled = waitFor(SETTLE, () -> totalLoad() == 0 && gatehouse.readBuffersInUse() == 0
                && openDescriptors() <= baselineDescriptors && spoolFiles().isEmpty()
                && gatehouse.spooledResponseBytes() == 0);
        assertTrue(settled, "left behind: load " + totalLoad() + ", read buffers " + gatehouse.readBuffersInUse()
                + ", descriptors " + openDescriptors() + " (baseline " + baselineDescriptors + "), spool files "
                + spoolFiles() + ", spooled bytes counted " + gatehouse.spooledResponseBytes());
    }

    /**
     * Answers the request for {@code path} with {@code body}: on {@code kept}, the connection of the
     * request before it, or on a new one when that connection was not kept (null).
     */
    void answerTheNext(ScriptedConnection kept, String path, String body) throws Exception {
        try (ScriptedConnection opened = kept == null ? backend.accept(PROMPTLY) : null) {
            ScriptedConnection connection = kept == null ? opened : kept;
            ScriptedConnection.FcgiRequest next = connection.readRequest(PROMPTLY);
            assertEquals(path, next.params().get("REQUEST_URI"));
            connection.write(ScriptedConnection.answer(next.requestId(), body), PROMPTLY);
        }
    }

    /**
     * After a failure: the backend answers from now on, and gatehouse's pool serves a burst as if
     * nothing had happened. Two requests one after the other share one connection when
     * connections are kept (a slot or a "new connection waiting" count left taken would make the
     * second open another); concurrent requests open exactly {@code max-connections} connections
     * when it is 2 (a slot left taken would allow one); every request is answered; afterwards
     * no more connections stay open than the pool may keep.
     */
    void assertAFollowingBurstIsServed() throws Exception {
        AutoAnswerer answerer = backend.serveEveryRequest(BURST_ANSWER_DELAY);
        int acceptedBefore = backend.accepted.get();
        for (int i = 0; i < 2; i++) {
            RawHttp.Response response = get("/after-" + i);
            assertEquals(200, response.status(), "error log:\n" + errorLogText());
        }
        int sequential = backend.accepted.get() - acceptedBefore;
        assertEquals(pool == Pool.NONE ? 2 : 1, sequential, "connections for two requests one after the other");
        ExecutorService clients = Executors.newFixedThreadPool(BURST);
        try {
            List<Future<RawHttp.Response>> responses = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                String path = "/burst-" + i;
                responses.add(clients.submit(() -> get(path)));
            }
            for (Future<RawHttp.Response> response : responses) {
                RawHttp.Response done = response.get(20, TimeUnit.SECONDS);
                assertEquals(200, done.status(), "error log:\n" + errorLogText());
            }
        } finally {
            clients.shutdownNow();
        }
        if (pool == Pool.KEPT_TWO) {
            assertEquals(2, answerer.peakOpen.get(), "connections open at once with max-connections 2");
        } else {
            assertTrue(answerer.peakOpen.get() <= BURST, "connections open at once: " + answerer.peakOpen.get());
        }
        int mayStayOpen = switch (pool) {
            case NONE -> 0;
            case KEPT_UNLIMITED -> BURST;
            case KEPT_TWO -> 2;
        };
        assertTrue(waitFor(SETTLE, () -> answerer.open.get() <= mayStayOpen),
                "connections left open after the burst: " + answerer.open.get() + ", at most " + mayStayOpen);
        assertTrue(waitFor(SETTLE, () -> totalLoad() == 0), "load after the burst: " + totalLoad());
    }

    int totalLoad() {
        return gatehouse.backends().stream().mapToInt(Gatehouse.BackendStatus::load).sum();
    }

    List<Path> spoolFiles() {
        try (Stream<Path> files = Files.list(uploads)) {
            return files.collect(Collectors.toList());
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + uploads, e);
        }
    }

    static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
    }

    /** Asserts that {@code count} comes to 0 within {@link #SETTLE}. */
    static void assertSettlesAtZero(IntSupplier count, String what) throws InterruptedException {
        waitFor(SETTLE, () -> count.getAsInt() == 0);
        assertEquals(0, count.getAsInt(), what);
    }

    static boolean waitFor(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            gatehouse.close();
        } finally {
            backend.close();
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(path);
            }
        }
    }
}
