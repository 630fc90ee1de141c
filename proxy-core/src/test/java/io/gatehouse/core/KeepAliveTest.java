package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FastCGI connection reuse ({@code "keep-alive" => "enable"}) against a backend that counts
 * connections, over unix sockets and TCP (where a write to a closed peer succeeds and only the read fails).
 */
class KeepAliveTest {

    private static final int REQUESTS = 20;

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void keptConnectionsCarryRequestAfterRequest(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true)) {
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
             Server server = Server.start(backend, false)) {
            for (int i = 1; i <= 5; i++) {
                assertEquals("connection " + i + " request 1", server.get("/page").bodyText());
            }
            assertEquals(5, backend.connections.get());
            assertEquals(List.of(false), backend.keepConnFlags.stream().distinct().toList());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void aKeptConnectionTheBackendClosedIsRetriedOnANewOne(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true)) {
            assertEquals(200, server.get("/first").status());
            backend.closeOpenConnections();
            RawHttp.Response second = server.get("/second");
            assertEquals(200, second.status(), second.bodyText());
            assertEquals("connection 2 request 1", second.bodyText());
            assertEquals(2, backend.connections.get());
            assertEquals(2, backend.requests.get(), "the closed connection never carried the second request");
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void aRequestWithABodyIsNotSentOnAKeptConnectionTheBackendClosed(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true)) {
            assertEquals(200, server.get("/first").status());
            backend.closeOpenConnections();
            assertTrue(waitFor(Duration.ofSeconds(5), () -> backend.openConnections() == 0));
            byte[] body = "a=1&b=2".getBytes(StandardCharsets.US_ASCII);
            RawHttp.Response response = RawHttp.exchange(server.port(), "POST /form HTTP/1.1\r\nHost: t\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n", body);
            assertEquals(200, response.status(), response.bodyText());
            assertEquals("connection 2 request 1", response.bodyText());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void aBackendThatClosesDespiteKeepConnStillAnswersEveryRequest(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true)) {
            backend.closeAfterEachResponse = true;
            for (int i = 0; i < REQUESTS; i++) {
                RawHttp.Response response = server.get("/page");
                assertEquals(200, response.status(), response.bodyText());
                assertEquals("request 1", response.bodyText().replaceFirst("connection \\d+ ", ""));
            }
            assertEquals(REQUESTS, backend.connections.get());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void idleConnectionsAreClosedAfterTheIdleTimeout(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true)) {
            assertEquals(200, server.get("/page").status());
            assertEquals(1, backend.openConnections());
            assertTrue(waitFor(Duration.ofSeconds(10), () -> backend.openConnections() == 0),
                    "the idle connection was closed by the proxy");
            assertEquals("connection 2 request 1", server.get("/page").bodyText());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void aRestartClosesTheOldGenerationsIdleConnections(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             Server server = Server.start(backend, true)) {
            assertEquals(200, server.get("/page").status());
            assertEquals(1, backend.openConnections());
            assertTrue(server.gatehouse.restart(server.gatehouse.config()));
            assertTrue(waitFor(Duration.ofSeconds(5), () -> backend.openConnections() == 0),
                    "no idle connection outlives its generation");
            assertEquals("connection 2 request 1", server.get("/page").bodyText());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void stoppingTheServerLeavesNoDescriptorBehind(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp)) {
            try (Server warmUp = Server.start(backend, true)) {
                warmUp.get("/page");
            }
            assertTrue(waitFor(Duration.ofSeconds(5), () -> backend.openConnections() == 0));
            long baseline = openDescriptors();
            try (Server server = Server.start(backend, true)) {
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

        static Server start(CountingFcgiBackend backend, boolean keepAlive) throws IOException {
            BackendConfig config = backend.config().label("counting").checkLocal(false)
                    .keepAlive(keepAlive).connectTimeout(Duration.ofSeconds(2)).build();
            int port = ProxyFixture.freePort();
            Gatehouse gatehouse = Gatehouse.start(ServerConfig.builder()
                    .route(Route.of("", Protocol.FASTCGI, config)).listen("127.0.0.1", port).build());
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
