package io.gatehouse.core;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.gatehouse.core.EngineFixture.Pool;
import io.gatehouse.core.ScriptedBackend.Transport;
import io.gatehouse.core.ScriptedConnection.FcgiRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend whose body is longer than the Content-Length it sent (a PHP page that sets its length
 * wrong): the client gets the length it was told and no more, as lighttpd sends it, and its
 * connection goes on to the next request. Such a response used to never end: Undertow's
 * fixed-length channel took none of the extra bytes, the exchange waited for them, and each such
 * request held a client connection, and one of server.max-connections, for good.
 */
class EngineBackendOverrunsContentLengthTest {

    private static final String HEAD = "Status: 200 OK\r\nContent-Type: text/plain\r\n";

    @ParameterizedTest
    @EnumSource(value = Pool.class, names = {"NONE", "KEPT_TWO"})
    void aBodyLongerThanItsContentLengthIsCutAtTheLengthAndTheConnectionGoesOn(Pool pool) throws Exception {
        assertAnsweredThenTheNextRequest(pool, "Content-Length: 5", "0123456789", null, "01234");
    }

    @ParameterizedTest
    @EnumSource(value = Pool.class, names = {"NONE", "KEPT_TWO"})
    void aBodyAfterAContentLengthOfZeroIsDroppedAndTheHeadStillGoesOut(Pool pool) throws Exception {
        assertAnsweredThenTheNextRequest(pool, "Content-Length: 0", "x", null, "");
    }

    /** The length runs out within the second of two reads of the backend (a PHP flush between). */
    @ParameterizedTest
    @EnumSource(value = Pool.class, names = {"NONE", "KEPT_TWO"})
    void aLengthThatRunsOutInALaterReadIsCountedAcrossReads(Pool pool) throws Exception {
        assertAnsweredThenTheNextRequest(pool, "Content-Length: 5", "012", "3456789", "01234");
    }

    /**
     * The backend answers a keep-alive request with its head, {@code first} and, after a pause,
     * {@code second} (when not null) as the body; the client, which then sends a second request on
     * the same connection, gets {@code expectedBody} and the second answer right after it.
     */
    private static void assertAnsweredThenTheNextRequest(Pool pool, String length, String first, String second,
                                                         String expectedBody) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(Transport.UNIX, pool)) {
            try (RawClient client = fixture.client().sendKeepAliveGet("/overrun");
                 ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                FcgiRequest request = backend.readRequest(EngineFixture.PROMPTLY);
                int id = request.requestId();
                backend.write(ScriptedConnection.stdout(id, HEAD + length + "\r\n\r\n" + first),
                        EngineFixture.PROMPTLY);
                if (second != null) {
                    Thread.sleep(50); // a read of its own
                    backend.write(ScriptedConnection.stdout(id, second), EngineFixture.PROMPTLY);
                }
                backend.write(ScriptedConnection.endOfResponse(id), EngineFixture.PROMPTLY);

                RawClient.Head head = client.readHead(EngineFixture.PROMPTLY);
                assertEquals(200, head.status());
                assertTrue(head.text().contains(length), head.text());
                client.sendHead("GET", "/next", 0);
                fixture.answerTheNext(request.keepConn() ? backend : null, "/next", "next answer");
                String rest = new String(client.readToEnd(EngineFixture.PROMPTLY), StandardCharsets.ISO_8859_1);
                assertTrue(rest.startsWith(expectedBody + "HTTP/1.1 200 "), rest);
                assertTrue(rest.endsWith("\r\n\r\nnext answer"), rest);
            }
            assertTrue(fixture.errorLogText().contains("longer than its Content-Length"), fixture.errorLogText());
            fixture.assertNothingLeftBehind();
        }
    }
}
