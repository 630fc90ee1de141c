package io.gatehouse.core;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.core.EngineFixture.Pool;
import io.gatehouse.core.ScriptedBackend.Transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client goes away at each phase of an exchange: the backend sees its connection closed
 * promptly (or never sees one), nothing is left behind, and the pool still serves.
 */
class EngineClientGoneTest {

    private static final int LARGE_BODY = 4 * 1024 * 1024;

    static Stream<Arguments> transportsAndPools() {
        return EngineBackendGoneTest.transportsAndPools();
    }

    @ParameterizedTest
    @EnumSource(Pool.class)
    void aClientLeavingWhileItsBodyIsCollectedNeverReachesTheBackend(Pool pool) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(Transport.UNIX, pool)) {
            try (RawClient client = fixture.client()) {
                // Past the in-memory limit: the part that came is in a spool file when the client goes.
                client.sendHead("POST", "/upload", LARGE_BODY).sendBody(100 * 1024);
                Thread.sleep(100);
            }
            assertTrue(fixture.backend.acceptsNothingWithin(Duration.ofMillis(300)), "a partial body went out");
            fixture.assertNothingLeftBehind();
            fixture.assertAFollowingBurstIsServed();
        }
    }

    /**
     * A client that leaves while its request waits for the backend is seen when the answer is
     * written to it (Undertow does not read a connection while its request is in progress): then
     * gatehouse gives back all the request held.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aClientThatLeftWhileWaitingCostsNothingOnceTheBackendAnswers(Transport transport, Pool pool)
            throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, pool)) {
            int[] id = new int[1];
            try (ScriptedConnection backend = clientLeavesAfter(fixture, 0, connection ->
                    id[0] = connection.readRequest(EngineFixture.PROMPTLY).requestId())) {
                Thread.sleep(100);
                // More than a socket buffer: the client's reset surfaces on a write, not only on the last one.
                backend.write(ScriptedConnection.stdout(id[0], "Status: 200 OK\r\n\r\n"), EngineFixture.PROMPTLY);
                backend.writeUntilStalled(ScriptedConnection.stdout(id[0], new byte[8 * 1024 * 1024]),
                        Duration.ofMillis(300));
                assertTrue(backend.closedByPeerWithin(EngineFixture.CLOSED_PROMPTLY), "the backend connection was kept");
            }
            fixture.assertNothingLeftBehind();
            fixture.assertAFollowingBurstIsServed();
        }
    }

    /**
     * A client that stops reading a response larger than the spool takes: gatehouse takes the
     * spool's worth ({@link io.gatehouse.core.internal.gateway}'s {@code ResponseSpool}, 64 MiB)
     * and then reads the backend no further, whose writes block; when the client leaves, the
     * backend's connection is closed and the spool file with it.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aClientThatStopsReadingPastTheSpoolsBoundBlocksTheBackendAndItsLeavingClosesIt(Transport transport,
            Pool pool) throws Exception {
        long spoolBound = 64L * 1024 * 1024;
        int responseBytes = (int) spoolBound + 32 * 1024 * 1024;
        try (EngineFixture fixture = EngineFixture.start(transport, pool)) {
            try (RawClient client = RawClient.connect(fixture.port, 64 * 1024).sendHead("GET", "/large", 0);
                 ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"),
                        EngineFixture.PROMPTLY);
                long written = backend.writeUntilStalled(ScriptedConnection.stdout(id, new byte[responseBytes]),
                        Duration.ofMillis(1500));
                // The spool's bound, a read or two in memory, and socket buffers of a few MiB at most.
                assertTrue(written < spoolBound + 16 * 1024 * 1024, "gatehouse took " + written
                        + " bytes the client did not read");
                client.close();
                assertTrue(backend.closedByPeerWithin(EngineFixture.CLOSED_PROMPTLY), "the backend connection was kept");
            }
            fixture.assertNothingLeftBehind();
            fixture.assertAFollowingBurstIsServed();
        }
    }

    private interface BackendStep {
        void run(ScriptedConnection connection) throws Exception;
    }

    /**
     * Sends a request with {@code bodyBytes} of body; once the backend has taken {@code step},
     * the client leaves. Returns the backend's connection.
     */
    private static ScriptedConnection clientLeavesAfter(EngineFixture fixture, int bodyBytes, BackendStep step)
            throws Exception {
        ScriptedConnection backend;
        try (RawClient client = fixture.client()) {
            client.sendHead(bodyBytes > 0 ? "POST" : "GET", "/leaving", bodyBytes).sendBody(bodyBytes);
            backend = fixture.backend.accept(EngineFixture.PROMPTLY);
            try {
                step.run(backend);
            } catch (Exception | AssertionError e) {
                backend.close();
                throw e;
            }
        }
        assertEquals(1, fixture.totalLoad(), "the request was in flight when its client left");
        return backend;
    }
}
