package io.gatehouse.core.internal.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/**
 * {@code server.max-keep-alive-requests}: a client connection carries at most one request more
 * than that (lighttpd 1.4.69 closes once the count of requests before this one reached the limit;
 * measured: limit 2 answers 3, limit 0 answers 1); the last one is answered with
 * {@code Connection: close}, so no client can hold a connection and its buffers forever by
 * request after request.
 *
 * <p>Stateless; thread-safe (the count lives on the connection, which one I/O thread serves).
 */
final class KeepAliveRequests {

    /** Requests seen on a connection so far; one array per connection, updated on its I/O thread. */
    private static final AttachmentKey<int[]> SEEN = AttachmentKey.create(int[].class);

    private KeepAliveRequests() {
    }

    /** Counts {@code exchange} on its connection; call once per request. */
    static void count(HttpServerExchange exchange, int maxRequests) {
        int[] seen = exchange.getConnection().getAttachment(SEEN);
        if (seen == null) {
            seen = new int[1];
            exchange.getConnection().putAttachment(SEEN, seen);
        }
        if (++seen[0] > maxRequests) {
            exchange.setPersistent(false);
        }
    }
}
