package io.gatehouse.core.internal.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;

/**
 * A {@code close} token anywhere in a request's {@code Connection} header ends the connection
 * after the answer (RFC 9112 §9.6), as lighttpd does. Undertow honours {@code Connection: close}
 * only as the header's whole value: it kept a connection that said {@code keep-alive, close} open
 * and served the request pipelined behind, on a connection the client had said would close.
 *
 * <p>Stateless; thread-safe.
 */
final class ConnectionCloseToken {

    private static final String CLOSE = "close";

    private ConnectionCloseToken() {
    }

    /** Makes {@code exchange}'s connection close after its answer when any token says so. */
    static void apply(HttpServerExchange exchange) {
        HeaderValues values = exchange.getRequestHeaders().get(Headers.CONNECTION);
        if (values == null || !exchange.isPersistent()) {
            return;
        }
        for (String value : values) {
            if (hasClose(value)) {
                exchange.setPersistent(false);
                return;
            }
        }
    }

    /** True when the comma-separated list {@code value} holds the token {@code close}, in any case. */
    static boolean hasClose(String value) {
        for (String token : value.split(",")) {
            if (token.trim().equalsIgnoreCase(CLOSE)) {
                return true;
            }
        }
        return false;
    }
}
