package io.gatehouse.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.core.EngineFixture.Pool;
import io.gatehouse.core.ScriptedBackend.Transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend goes away, or misbehaves, at each phase of an exchange: the client gets lighttpd's
 * status (503 unreachable, 500 closed without a response, 502 malformed, 504 timed out) or, once
 * the response head is out, a cut connection; nothing is left behind and the pool still serves.
 */
class EngineBackendGoneTest {

    private static final int LARGE_BODY = 4 * 1024 * 1024;
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);

    static Stream<Arguments> transportsAndPools() {
        return Stream.of(Transport.values())
                .flatMap(transport -> Stream.of(Pool.values()).map(pool -> Arguments.of(transport, pool)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatRefusesConnectsIs503(Transport transport, Pool pool) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, pool)) {
            fixture.backend.stopListening();
            RawHttp.Response response = fixture.get("/refused");
            assertEquals(503, response.status(), response.bodyText());
            assertTrue(fixture.errorLogText().contains("connect to"), fixture.errorLogText());
            fixture.backend.listenAgain();
            fixture.assertNothingLeftBehind();
            Thread.sleep(300); // the host's disable-time
            fixture.assertAFollowingBurstIsServed();
        }
    }

    /**
     * The request is in the backend's socket, unread, when it closes: sent, so not sent again
     * (had the close come before gatehouse wrote, the request would go on a new connection).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatAcceptsAndClosesBeforeReadingIs500(Transport transport, Pool pool) throws Exception {
        runCase(transport, pool, UnaryOperator.identity(), (fixture, client) -> {
            client.sendHead("GET", "/closed-unread", 0);
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                backend.awaitBytesUnread(EngineFixture.PROMPTLY);
            }
            assertEquals(500, client.readHead(EngineFixture.PROMPTLY).status());
            assertTrue(fixture.backend.acceptsNothingWithin(Duration.ofMillis(200)), "the request was sent again");
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatReadsPartOfALargeBodyAndClosesIs500(Transport transport, Pool pool) throws Exception {
        runCase(transport, pool, UnaryOperator.identity(), (fixture, client) -> {
            client.sendHead("POST", "/part-read", LARGE_BODY).sendBody(LARGE_BODY);
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                backend.readAtLeast(256 * 1024, EngineFixture.PROMPTLY);
            }
            assertEquals(500, client.readHead(EngineFixture.PROMPTLY).status());
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatReadsTheRequestAndClosesWithoutAnsweringIs500(Transport transport, Pool pool) throws Exception {
        runCase(transport, pool, UnaryOperator.identity(), (fixture, client) -> {
            client.sendHead("GET", "/no-answer", 0);
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                backend.readRequest(EngineFixture.PROMPTLY);
            }
            assertEquals(500, client.readHead(EngineFixture.PROMPTLY).status());
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatClosesInsideTheResponseHeadIs502(Transport transport, Pool pool) throws Exception {
        runCase(transport, pool, UnaryOperator.identity(), (fixture, client) -> {
            client.sendHead("GET", "/half-head", 0);
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\nContent-Ty"), EngineFixture.PROMPTLY);
            }
            assertEquals(502, client.readHead(EngineFixture.PROMPTLY).status());
        });
    }

    /**
     * The head and some body are out when the backend goes: the status cannot change, so the
     * client's connection is cut, and a chunked response lacks its last chunk (the client can
     * tell it is incomplete).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatClosesInsideTheBodyCutsTheClientConnection(Transport transport, Pool pool) throws Exception {
        runCase(transport, pool, UnaryOperator.identity(), (fixture, client) -> {
            // A keep-alive request: its response must carry its length or be chunked.
            client.sendKeepAliveGet("/half-body");
            byte[] firstPart = new byte[1000];
            Arrays.fill(firstPart, (byte) 'x');
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"),
                        EngineFixture.PROMPTLY);
                backend.write(ScriptedConnection.stdout(id, firstPart), EngineFixture.PROMPTLY);
                RawClient.Head head = client.readHead(EngineFixture.PROMPTLY);
                assertEquals(200, head.status());
                assertTrue(head.text().toLowerCase().contains("transfer-encoding: chunked"), head.text());
            }
            byte[] body = client.readToEnd(EngineFixture.PROMPTLY);
            String text = new String(body, StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("x".repeat(firstPart.length)), "the first part arrived: " + text);
            assertFalse(text.endsWith("0\r\n\r\n"), "a cut response has no last chunk: " + text);
        });
    }

    /**
     * The head and the start of a body, then a broken record, in one read: nothing went out to the
     * client yet (a response that keeps coming is held), so it gets a 502, not a cut connection.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatBreaksTheProtocolBeforeAnythingWentOutIs502(Transport transport, Pool pool) throws Exception {
        runCase(transport, pool, UnaryOperator.identity(), (fixture, client) -> {
            client.sendHead("GET", "/garbage-after-head", 0);
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                ByteBuffer head = ScriptedConnection.stdout(id, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nstart");
                byte[] garbage = garbage();
                backend.write(ByteBuffer.allocate(head.remaining() + garbage.length).put(head).put(garbage).flip(),
                        EngineFixture.PROMPTLY);
                assertEquals(502, client.readHead(EngineFixture.PROMPTLY).status());
                assertTrue(backend.closedByPeerWithin(EngineFixture.CLOSED_PROMPTLY), "gatehouse let go of the backend");
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatSendsGarbageIs502(Transport transport, Pool pool) throws Exception {
        runCase(transport, pool, UnaryOperator.identity(), (fixture, client) -> {
            client.sendHead("GET", "/garbage", 0);
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                backend.readRequest(EngineFixture.PROMPTLY);
                byte[] garbage = garbage();
                backend.write(ByteBuffer.wrap(garbage), EngineFixture.PROMPTLY);
                assertEquals(502, client.readHead(EngineFixture.PROMPTLY).status());
                assertTrue(backend.closedByPeerWithin(EngineFixture.CLOSED_PROMPTLY), "gatehouse let go of the backend");
            }
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatStallsBeforeAnsweringIs504AfterItsReadTimeout(Transport transport, Pool pool) throws Exception {
        runCase(transport, pool, b -> b.readTimeout(SHORT_TIMEOUT), (fixture, client) -> {
            client.sendHead("GET", "/stall", 0);
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                backend.readRequest(EngineFixture.PROMPTLY);
                long started = System.nanoTime();
                assertEquals(504, client.readHead(EngineFixture.PROMPTLY.multipliedBy(2)).status());
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(millis >= SHORT_TIMEOUT.toMillis() - 50, "answered after " + millis + " ms");
                assertTrue(backend.closedByPeerWithin(EngineFixture.CLOSED_PROMPTLY), "gatehouse let go of the backend");
            }
            assertTrue(fixture.errorLogText().contains("timed out"), fixture.errorLogText());
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aBackendThatStallsWhileTakingALargeBodyIs504AfterItsWriteTimeoutWithALogLine(Transport transport, Pool pool)
            throws Exception {
        long body = moreThanTheKernelBuffers(transport);
        runCase(transport, pool, b -> b.writeTimeout(SHORT_TIMEOUT), (fixture, client) -> {
            client.sendHead("POST", "/stall-body", body).sendBody(body);
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                backend.readAtLeast(64 * 1024, EngineFixture.PROMPTLY);
                long started = System.nanoTime();
                assertEquals(504, client.readHead(EngineFixture.PROMPTLY.multipliedBy(2)).status());
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(millis >= SHORT_TIMEOUT.toMillis() - 50, "answered after " + millis + " ms");
                assertTrue(backend.closedByPeerWithin(EngineFixture.CLOSED_PROMPTLY), "gatehouse let go of the backend");
            }
            String log = fixture.errorLogText();
            assertTrue(log.contains("could not write to") && log.contains("timed out"), log);
        });
    }

    /**
     * A body the kernel cannot take whole while the backend reads nothing, so the write must stall.
     * Over TCP on loopback the two ends' buffers grow with the traffic, up to the maxima of
     * {@code tcp_wmem} and {@code tcp_rmem} (32 MiB on some machines): 4 MiB was sometimes taken
     * whole, and the write timeout never came.
     */
    private static long moreThanTheKernelBuffers(Transport transport) throws IOException {
        if (transport == Transport.UNIX) {
            return LARGE_BODY;
        }
        return largestOf("tcp_wmem") + largestOf("tcp_rmem") + LARGE_BODY;
    }

    /** Bytes no FastCGI record starts with: version 9. */
    private static byte[] garbage() {
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 9);
        return garbage;
    }

    /** The third figure (the maximum) of {@code /proc/sys/net/ipv4/NAME}. */
    private static long largestOf(String name) throws IOException {
        // readAllLines, not readString: a /proc file reports a size of 0, and readString trusts it.
        String[] figures = Files.readAllLines(Path.of("/proc/sys/net/ipv4", name)).get(0).trim().split("\\s+");
        return Long.parseLong(figures[2]);
    }

    private interface Case {
        void run(EngineFixture fixture, RawClient client) throws Exception;
    }

    /**
     * Runs {@code script} with a client connected to a gatehouse in front of a scripted backend,
     * then checks that nothing is left behind and the pool still serves.
     */
    private static void runCase(Transport transport, Pool pool, UnaryOperator<BackendConfig.Builder> options,
            Case script) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, pool, options)) {
            try (RawClient client = fixture.client()) {
                script.run(fixture, client);
            }
            fixture.assertNothingLeftBehind();
            fixture.assertAFollowingBurstIsServed();
        }
    }
}
