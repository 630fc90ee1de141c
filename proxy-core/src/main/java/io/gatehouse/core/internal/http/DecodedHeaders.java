package io.gatehouse.core.internal.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Protocols;

/**
 * What HTTP/1.1's parser refuses in a request head and HTTP/2's decoder lets through, refused
 * here (lighttpd answers 400 to each over HTTP/2): a header value with CR, LF or NUL
 * (RFC 9113, 8.2.1), which would reach the backend as a CGI variable with a line break in it or,
 * through FastCGI, cut short; and an HTTP/2 request's host (from {@code :authority}, or a Host
 * header) that is not one host with an optional port, or two that disagree (RFC 9113, 8.3.1),
 * which would reach the application as HTTP_HOST and SERVER_NAME.
 *
 * <p>Stateless; thread-safe.
 */
public final class DecodedHeaders {

    private DecodedHeaders() {
    }

    /**
     * True when {@code exchange}'s headers pass; false for a request to answer with 400. An
     * HTTP/1.x head has passed Undertow's parser, which refuses all of this already.
     */
    public static boolean sound(HttpServerExchange exchange) {
        if (!exchange.getProtocol().equals(Protocols.HTTP_2_0)) {
            return true;
        }
        for (HeaderValues values : exchange.getRequestHeaders()) {
            for (String value : values) {
                if (hasLineBreakOrNul(value)) {
                    return false;
                }
            }
        }
        return soundHost(exchange.getRequestHeaders().get(Headers.HOST));
    }

    private static boolean soundHost(HeaderValues hosts) {
        if (hosts == null) {
            return true;
        }
        String first = hosts.getFirst();
        for (String host : hosts) {
            if (!RequestTarget.isHostAndPort(host) || !host.equalsIgnoreCase(first)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasLineBreakOrNul(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                return true;
            }
        }
        return false;
    }
}
