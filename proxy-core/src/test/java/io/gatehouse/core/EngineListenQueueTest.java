package io.gatehouse.core;

import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.core.EngineFixture.Pool;
import io.gatehouse.core.ScriptedBackend.Transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend with a listen queue of one that does not accept, the queue filled by the test's own
 * connects: a unix connect fails with EAGAIN (gatehouse tries again shortly, up to the
 * connect-timeout), a TCP connect stays pending (its SYN is dropped and sent again after a second).
 */
class EngineListenQueueTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.gatehouse.core.EngineBackendGoneTest#transportsAndPools")
    void aFullListenQueueIs503AfterTheConnectTimeout(Transport transport, Pool pool) throws Exception {
        ScriptedBackend backend = ScriptedBackend.start(transport, 1);
        try (EngineFixture fixture = EngineFixture.start(backend, pool, b -> b.connectTimeout(CONNECT_TIMEOUT))) {
            List<SocketChannel> fillers = backend.fillListenQueue();
            long started = System.nanoTime();
            try (RawClient client = fixture.client().sendHead("GET", "/busy", 0)) {
                assertEquals(503, client.readHead(EngineFixture.PROMPTLY).status());
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            // Generous above: the first request of a cold JVM on a busy machine takes a second more.
            assertTrue(millis >= CONNECT_TIMEOUT.toMillis() - 50 && millis < CONNECT_TIMEOUT.toMillis() + 3000,
                    "503 after " + millis + " ms, connect-timeout " + CONNECT_TIMEOUT.toMillis() + " ms");
            assertTrue(fixture.errorLogText().contains("connect to"), fixture.errorLogText());
            backend.drainFillers(fillers);
            assertTrue(backend.acceptsNothingAfterFillingWithin(Duration.ofMillis(transport == Transport.TCP ? 1200 : 200)),
                    "a connect outlived its request");
            // Room for the burst that follows: six connects at once would overflow a queue of one.
            backend.stopListening();
            backend.listenAgain(16);
            fixture.assertNothingLeftBehind();
            Thread.sleep(300); // the host's disable-time
            fixture.assertAFollowingBurstIsServed();
        }
    }

    /**
     * Room in the queue before the connect-timeout: the waiting request goes out and is answered.
     * (Without a pool: a kept connection would rightly hold a descriptor until its idle timeout.)
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aListenQueueThatDrainsWithinTheConnectTimeoutIs200(Transport transport) throws Exception {
        Pool pool = Pool.NONE;
        ScriptedBackend backend = ScriptedBackend.start(transport, 1);
        // A dropped TCP SYN is sent again after a second: the connect-timeout must outlast it.
        try (EngineFixture fixture = EngineFixture.start(backend, pool, b -> b.connectTimeout(Duration.ofSeconds(3)))) {
            List<SocketChannel> fillers = backend.fillListenQueue();
            try (RawClient client = fixture.client().sendHead("GET", "/busy", 0)) {
                Thread.sleep(200);
                backend.drainFillers(fillers);
                try (ScriptedConnection connection = backend.acceptAfterFilling(Duration.ofSeconds(3))) {
                    int id = connection.readRequest(EngineFixture.PROMPTLY).requestId();
                    connection.write(ScriptedConnection.answer(id, "waited"), EngineFixture.PROMPTLY);
                    RawClient.Head head = client.readHead(EngineFixture.PROMPTLY);
                    assertEquals(200, head.status(), head.text());
                    assertTrue(new String(client.readToEnd(EngineFixture.PROMPTLY)).endsWith("waited"));
                }
            }
            fixture.assertNothingLeftBehind();
            fixture.assertAFollowingBurstIsServed();
        }
    }
}
