package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An HTTP/1.1 response of unknown length is chunked also when its connection closes after it, as
 * lighttpd and nginx send it: ended by the close instead, a client could not tell it from a
 * response a failing backend cut short (and wrk counted each one as a read error).
 */
class ChunkedOnClosingConnectionTest {

    private static final int PIECE = 40_000;

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void aResponseOfUnknownLengthIsChunkedOnAConnectionThatCloses(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            RawHttp.Response response = RawHttp.exchange(proxy.port, "GET /pieces?n=3&bytes=" + PIECE
                    + "&ms=10 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", null);
            assertEquals(200, response.status(), response.head());
            assertTrue(response.head().contains("\r\nTransfer-Encoding: chunked"), response.head());
            assertTrue(response.head().toLowerCase().contains("\r\nconnection: close"), response.head());
            assertEquals("a".repeat(PIECE) + "b".repeat(PIECE) + "c".repeat(PIECE), RawHttp.dechunk(new String(response.body(), StandardCharsets.ISO_8859_1)));
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void aHeadRequestOnAConnectionThatClosesGetsNoBody(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            RawHttp.Response response = RawHttp.exchange(proxy.port, "HEAD /pieces?n=3&bytes=" + PIECE
                    + "&ms=10 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", null);
            assertEquals(200, response.status(), response.head());
            assertFalse(response.head().contains("Transfer-Encoding"), response.head());
            assertEquals(0, response.body().length);
        }
    }
}
