package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A body without a length, arriving in several pieces, to an HTTP/1.0 client: up to 64 KiB it is
 * held and goes out with a Content-Length, past that it streams and the close ends it; the same
 * on every transport, for a request without a body (GET) and with one (POST).
 */
class Http10ResponseLengthTest {

    /** Http10LengthBuffer.LIMIT. */
    private static final int LIMIT = 64 * 1024;

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void aSmallBodyInPiecesGetsItsLengthForGetAndPost(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            for (String method : new String[] {"GET", "POST"}) {
                RawHttp.Response response = send(proxy, method, "/pieces?n=3&bytes=10&ms=30");
                assertEquals(200, response.status(), response.head());
                assertTrue(response.head().contains("\r\nContent-Length: 30"), method + ": " + response.head());
                assertEquals("a".repeat(10) + "b".repeat(10) + "c".repeat(10), response.bodyText());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void aBodyPastTheLimitStreamsWithoutALength(TestBackend.Kind kind) throws Exception {
        int piece = LIMIT / 2 + 1;
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            for (String method : new String[] {"GET", "POST"}) {
                RawHttp.Response response = send(proxy, method, "/pieces?n=3&bytes=" + piece + "&ms=10");
                assertEquals(200, response.status(), response.head());
                assertFalse(response.head().contains("Content-Length"), method + ": " + response.head());
                assertFalse(response.head().contains("Transfer-Encoding"), method + ": " + response.head());
                assertEquals("a".repeat(piece) + "b".repeat(piece) + "c".repeat(piece), response.bodyText());
            }
        }
    }

    private static RawHttp.Response send(ProxyFixture proxy, String method, String target) throws Exception {
        byte[] body = method.equals("POST") ? "k=v".getBytes(StandardCharsets.US_ASCII) : null;
        String head = method + " " + target + " HTTP/1.0\r\nHost: t\r\n"
                + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
        return RawHttp.exchange(proxy.port, head, body);
    }
}
