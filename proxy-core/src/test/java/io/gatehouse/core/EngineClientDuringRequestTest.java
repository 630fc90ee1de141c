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
 * What a client sends while its request runs. Undertow reads none of it before the response is
 * done; gatehouse leaves the client's socket registered with the selector meanwhile, so these
 * bytes are what makes the suspension of reads take effect, and the resume after the response
 * must find them: a lost resume hangs the second request, and the end of a half-closed stream must
 * not end the request before its answer. (The suspension itself is tested on its own in
 * {@code LazyReadSuspensionTest}.)
 */
class EngineClientDuringRequestTest {

    /** Long enough for the bytes sent meanwhile to reach gatehouse's socket and wake its I/O thread. */
    private static final long ARRIVAL_MILLIS = 100;

    @ParameterizedTest
    @EnumSource(Pool.class)
    void aRequestSentWhileTheFirstRunsIsAnsweredAfterIt(Pool pool) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(Transport.UNIX, pool)) {
            try (RawClient client = fixture.client().sendKeepAliveGet("/first");
                 ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                FcgiRequest first = backend.readRequest(EngineFixture.PROMPTLY);
                client.sendHead("GET", "/second", 0);
                Thread.sleep(ARRIVAL_MILLIS);
                backend.write(ScriptedConnection.answer(first.requestId(), "first answer"), EngineFixture.PROMPTLY);
                fixture.answerTheNext(first.keepConn() ? backend : null, "/second", "second answer");
                String answers = new String(client.readToEnd(EngineFixture.PROMPTLY), StandardCharsets.ISO_8859_1);
                assertTrue(answers.startsWith("first answer") && answers.endsWith("second answer"), answers);
            }
            fixture.assertNothingLeftBehind();
        }
    }

    /** A half-close is not a client gone: the end of its stream arrives while the request runs. */
    @ParameterizedTest
    @EnumSource(Pool.class)
    void aClientThatStopsSendingWhileItsRequestRunsGetsItsAnswer(Pool pool) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(Transport.UNIX, pool)) {
            try (RawClient client = fixture.client().sendHead("GET", "/half-closed", 0);
                 ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                FcgiRequest request = backend.readRequest(EngineFixture.PROMPTLY);
                client.finishSending();
                Thread.sleep(ARRIVAL_MILLIS);
                backend.write(ScriptedConnection.answer(request.requestId(), "answered"), EngineFixture.PROMPTLY);
                assertEquals(200, client.readHead(EngineFixture.PROMPTLY).status());
                assertEquals("answered", new String(client.readToEnd(EngineFixture.PROMPTLY), StandardCharsets.ISO_8859_1));
            }
            fixture.assertNothingLeftBehind();
            fixture.assertAFollowingBurstIsServed();
        }
    }
}
