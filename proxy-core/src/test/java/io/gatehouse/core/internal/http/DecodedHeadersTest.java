package io.gatehouse.core.internal.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/2 request heads refused before they reach a backend (each let through by HTTP/2's
 * decoder, each refused by lighttpd 1.4.69 over HTTP/2, found by an attack on the build): header
 * values with CR, LF or NUL, and a host that is not one host with an optional port.
 */
class DecodedHeadersTest {

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nb: c", "a\nb", "a\rb", "a\u0000b"})
    void anHttp2HeaderValueWithALineBreakOrNulIsRefused(String value) {
        HttpServerExchange exchange = http2("admin.test");
        exchange.getRequestHeaders().put(new HttpString("x-a"), value);
        assertFalse(DecodedHeaders.sound(exchange), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"u@admin.test", "admin.test:abc", "admin.test/../x", "admin.test:", "", "a b"})
    void anHttp2HostThatIsNotAHostAndPortIsRefused(String authority) {
        assertFalse(DecodedHeaders.sound(http2(authority)), authority);
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin.test", "ADMIN.test.", "admin.test:8443", "[::1]:443", "127.0.0.1"})
    void anHttp2HostThatIsAHostAndPortPasses(String authority) {
        assertTrue(DecodedHeaders.sound(http2(authority)), authority);
    }

    @Test
    void twoHttp2HostsThatDisagreeAreRefused() {
        HttpServerExchange exchange = http2("x.test");
        exchange.getRequestHeaders().add(Headers.HOST, "admin.test");
        assertFalse(DecodedHeaders.sound(exchange));
        HttpServerExchange agreeing = http2("admin.test");
        agreeing.getRequestHeaders().add(Headers.HOST, "Admin.Test");
        assertTrue(DecodedHeaders.sound(agreeing));
    }

    /** HTTP/1.1's parser refuses such a head before this check, which does not scan one again (per-request cost). */
    @Test
    void anHttp11HeadIsLeftToItsParser() {
        HttpServerExchange exchange = new HttpServerExchange(null);
        exchange.setProtocol(Protocols.HTTP_1_1);
        exchange.getRequestHeaders().put(Headers.HOST, "u@admin.test");
        exchange.getRequestHeaders().put(new HttpString("x-a"), "a\r\nb");
        assertTrue(DecodedHeaders.sound(exchange));
    }

    private static HttpServerExchange http2(String authority) {
        HttpServerExchange exchange = new HttpServerExchange(null);
        exchange.setProtocol(Protocols.HTTP_2_0);
        exchange.getRequestHeaders().put(Headers.HOST, authority);
        return exchange;
    }
}
