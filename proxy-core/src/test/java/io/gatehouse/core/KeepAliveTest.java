package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FastCGI connection reuse ({@code "keep-alive" => "enable"}) against a backend that counts
 * connections, over unix sockets and TCP (where a write to a closed peer succeeds and only the read fails).
 */
class KeepAliveTest {

    private static final int REQUESTS = 20;
    private static final int CONCURRENT_CLIENTS = 8;
    private static final long ANSWER_DELAY_MILLIS = 100;

    @ParameterizedTest(name = "tcp={0} max-connections={1}")
    @CsvSource({"false,0", "true,0", "false,2", "true,2"})
    void keptConnectionsCarryRequestAfterRequest(boolean tcp, int maxConnections) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, maxConnections)) {
            for (int i = 1; i <= REQUESTS; i++) {
                RawHttp.Response response = server.get("/page");
                assertEquals(200, response.status(), response.bodyText());
                assertEquals("connection 1 request " + i, response.bodyText());
            }
            assertEquals(REQUESTS, backend.requests.get());
            assertEquals(1, backend.connections.get(), "sequential requests share one kept connection");
            assertEquals(List.of(true), backend.keepConnFlags.stream().distinct().toList());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void withoutKeepAliveEveryRequestHasItsOwnConnection(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, false, 0)) {
            for (int i = 1; i <= 5; i++) {
                assertEquals("connection " + i + " request 1", server.get("/page").bodyText());
            }
            assertEquals(5, backend.connections.get());
            assertEquals(List.of(false), backend.keepConnFlags.stream().distinct().toList());
        }
    }

    @ParameterizedTest(name = "tcp={0} max-connections={1}")
    @CsvSource({"false,0", "true,0", "false,2", "true,2"})
    void aKeptConnectionTheBackendClosedIsRetriedOnANewOne(boolean tcp, int maxConnections) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, maxConnections)) {
            assertEquals(200, server.get("/first").status());
            backend.closeOpenConnections();
            RawHttp.Response second = server.get("/second");
            assertEquals(200, second.status(), second.bodyText());
            assertEquals("connection 2 request 1", second.bodyText());
            assertEquals(2, backend.connections.get());
            assertEquals(2, backend.requests.get(), "the closed connection never carried the second request");
        }
    }

    @ParameterizedTest(name = "tcp={0} max-connections={1}")
    @CsvSource({"false,0", "true,0", "false,2", "true,2"})
    void aRequestWithABodyIsNotSentOnAKeptConnectionTheBackendClosed(boolean tcp, int maxConnections) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, maxConnections)) {
            assertEquals(200, server.get("/first").status());
            backend.closeOpenConnections();
            assertTrue(waitFor(Duration.ofSeconds(5), () -> backend.openConnections() == 0));
            byte[] body = "a=1&b=2".getBytes(StandardCharsets.US_ASCII);
            RawHttp.Response response = post(server, body);
            assertEquals(200, response.status(), response.bodyText());
            assertEquals("connection 2 request 1", response.bodyText());
        }
    }

    /** POST /form with {@code body}, the connection closed after the answer. */
    private static RawHttp.Response post(Server server, byte[] body) throws IOException {
        return RawHttp.exchange(server.port(), "POST /form HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n", body);
    }

    /**
     * Bodies of every size, in memory or spooled and framed whole or sent in pieces, go out with
     * FCGI_KEEP_CONN set, each on a new connection in the pool's slot, never on one that may be closing.
     */
    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void postsGoOutOnTheIoThreadOnNewConnections(boolean tcp) throws Exception {
        // In memory, spooled and framed whole, and spooled and sent in pieces (one of 64 KiB - 1, an odd tail).
        int[] sizes = {1, 100, 16 * 1024 + 1, 65_535, 65_536, 65_537, 3 * 65_535 + 7, 2 * 1024 * 1024};
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, 2)) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                byte[] body = new byte[sizes[i]];
                new Random(i).nextBytes(body);
                CRC32 crc = new CRC32();
                crc.update(body);
                expected.add("CONTENT_LENGTH=" + body.length + " stdin=" + body.length + " crc=" + crc.getValue());
                RawHttp.Response response = post(server, body);
                assertEquals(200, response.status(), response.bodyText());
                assertEquals("connection " + (i + 1) + " request 1", response.bodyText());
            }
            assertEquals(expected, backend.bodies);
            assertEquals(List.of(true), backend.keepConnFlags.stream().distinct().toList(), "sent by the I/O thread");
        }
    }

    /**
     * A POST on a kept connection whose backend reads it and dies is answered with an error, not
     * sent again on a new connection: the backend may have run it (a GET is retried once).
     */
    @ParameterizedTest(name = "tcp={0} max-connections={1}")
    @CsvSource({"false,0", "true,0", "false,2", "true,2"})
    void aPostTheBackendReadThenDiedOnIsNeverSentTwice(boolean tcp, int maxConnections) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, maxConnections)) {
            assertEquals(200, server.get("/first").status());
            backend.dieAfterReading = true;
            byte[] body = "a=1&b=2".getBytes(StandardCharsets.US_ASCII);
            RawHttp.Response response = post(server, body);
            assertTrue(response.status() >= 500, response.status() + " " + response.bodyText());
            assertEquals(2, backend.requests.get(), "the POST reached the backend once");
        }
    }

    @ParameterizedTest(name = "tcp={0} max-connections={1}")
    @CsvSource({"false,0", "true,0", "false,2", "true,2"})
    void aBackendThatClosesDespiteKeepConnStillAnswersEveryRequest(boolean tcp, int maxConnections) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, maxConnections)) {
            backend.closeAfterEachResponse = true;
            for (int i = 0; i < REQUESTS; i++) {
                RawHttp.Response response = server.get("/page");
                assertEquals(200, response.status(), response.bodyText());
                assertEquals("request 1", response.bodyText().replaceFirst("connection \\d+ ", ""));
            }
            assertEquals(REQUESTS, backend.connections.get());
        }
    }

    @ParameterizedTest(name = "tcp={0} max-connections={1}")
    @CsvSource({"false,0", "true,0", "false,2", "true,2"})
    void idleConnectionsAreClosedAfterTheIdleTimeout(boolean tcp, int maxConnections) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, maxConnections)) {
            assertEquals(200, server.get("/page").status());
            assertEquals(1, backend.openConnections());
            assertTrue(waitFor(Duration.ofSeconds(10), () -> backend.openConnections() == 0),
                    "the idle connection was closed by the proxy");
            assertEquals("connection 2 request 1", server.get("/page").bodyText());
        }
    }

    @ParameterizedTest(name = "tcp={0} max-connections={1}")
    @CsvSource({"false,0", "true,0", "false,2", "true,2"})
    void aRestartClosesTheOldGenerationsIdleConnections(boolean tcp, int maxConnections) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, maxConnections)) {
            assertEquals(200, server.get("/page").status());
            assertEquals(1, backend.openConnections());
            assertTrue(server.gatehouse.restart(server.gatehouse.config()));
            assertTrue(waitFor(Duration.ofSeconds(5), () -> backend.openConnections() == 0),
                    "no idle connection outlives its generation");
            assertEquals("connection 2 request 1", server.get("/page").bodyText());
        }
    }

    @ParameterizedTest(name = "tcp={0} max-connections={1}")
    @CsvSource({"false,0", "true,0", "false,2", "true,2"})
    void stoppingTheServerLeavesNoDescriptorBehind(boolean tcp, int maxConnections) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp)) {
            try (Server warmUp = Server.start(backend, true, maxConnections)) {
                warmUp.get("/page");
            }
            assertTrue(waitFor(Duration.ofSeconds(5), () -> backend.openConnections() == 0));
            long baseline = openDescriptors();
            try (Server server = Server.start(backend, true, maxConnections)) {
                for (int i = 0; i < REQUESTS; i++) {
                    assertEquals(200, server.get("/page").status());
                }
                assertEquals(1, backend.openConnections(), "the kept connection is open while the server runs");
            }
            assertTrue(waitFor(Duration.ofSeconds(5), () -> backend.openConnections() == 0),
                    "stopping closed the kept connection");
            assertTrue(waitFor(Duration.ofSeconds(5), () -> openDescriptors() <= baseline),
                    "descriptors: " + openDescriptors() + ", baseline " + baseline);
        }
    }

    @ParameterizedTest(name = "tcp={0} io-threads={1}")
    @CsvSource({"false,1", "true,1", "false,2", "true,2"})
    void concurrentRequestsWaitForTheMaxConnectionsInsteadOfOpeningMore(boolean tcp, int ioThreads) throws Exception {
        // With two I/O threads the clients' connections are spread over both, so kept connections
        // are handed from one thread's request to the other's.
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, 2, ioThreads)) {
            backend.answerDelayMillis = ANSWER_DELAY_MILLIS;
            List<String> bodies = getConcurrently(server, CONCURRENT_CLIENTS);
            assertEquals(CONCURRENT_CLIENTS, bodies.size());
            assertEquals(CONCURRENT_CLIENTS, backend.requests.get());
            assertEquals(2, backend.connections.get(), "requests beyond two waited for a kept connection: " + bodies);
            assertEquals(2, backend.peakOpen.get());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void aClientLeavingWhileItsRequestWaitsCostsNoConnection(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true, 1)) {
            backend.answerDelayMillis = ANSWER_DELAY_MILLIS * 5;
            ExecutorService clients = Executors.newFixedThreadPool(2);
            try {
                Future<RawHttp.Response> first = clients.submit(() -> server.get("/first"));
                assertTrue(waitFor(Duration.ofSeconds(5), () -> backend.requests.get() == 1));
                // The second request waits for the one connection; its client gives up meanwhile. (Undertow
                // does not read a connection while its request is in progress, so the request may still go out.)
                try (Socket leaving = new Socket("127.0.0.1", server.port())) {
                    leaving.getOutputStream().write("GET /left HTTP/1.1\r\nHost: t\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(ANSWER_DELAY_MILLIS);
                }
                assertEquals(200, first.get(10, TimeUnit.SECONDS).status());
                backend.answerDelayMillis = 0;
                RawHttp.Response third = server.get("/third");
                assertEquals(200, third.status(), third.bodyText());
                assertTrue(third.bodyText().startsWith("connection 1 request "), third.bodyText());
                assertEquals(1, backend.connections.get());
                assertEquals(1, backend.peakOpen.get());
            } finally {
                clients.shutdownNow();
            }
        }
    }

    private static List<String> getConcurrently(Server server, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<RawHttp.Response>> responses = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                responses.add(pool.submit(() -> server.get("/page")));
            }
            List<String> bodies = new ArrayList<>();
            for (Future<RawHttp.Response> response : responses) {
                RawHttp.Response done = response.get(30, TimeUnit.SECONDS);
                assertEquals(200, done.status(), done.bodyText());
                bodies.add(done.bodyText());
            }
            return bodies;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
    }

    private static boolean waitFor(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** A gatehouse with one route to the counting backend; requests go over plain sockets. */
    private record Server(Gatehouse gatehouse, int port) implements AutoCloseable {

        static Server start(CountingFcgiBackend backend, boolean keepAlive, int maxConnections) throws IOException {
            return start(backend, keepAlive, maxConnections, 0);
        }

        /** With {@code ioThreads} XNIO I/O threads (0: the default). */
        static Server start(CountingFcgiBackend backend, boolean keepAlive, int maxConnections, int ioThreads)
                throws IOException {
            BackendConfig config = backend.config().label("counting").checkLocal(false)
                    .keepAlive(keepAlive).maxConnections(maxConnections).connectTimeout(Duration.ofSeconds(2)).build();
            EngineOptions options = ioThreads > 0 ? EngineOptions.defaults().withIoThreads(ioThreads)
                    : EngineOptions.defaults();
            int port = ProxyFixture.freePort();
            Gatehouse gatehouse = Gatehouse.start(ServerConfig.builder()
                    .route(Route.of("", Protocol.FASTCGI, config)).listen("127.0.0.1", port).build(), options);
            return new Server(gatehouse, port);
        }

        RawHttp.Response get(String path) throws IOException {
            return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", null);
        }

        @Override
        public void close() {
            gatehouse.close();
        }
    }
}
