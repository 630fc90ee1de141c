package io.gatehouse.core.internal.gateway;

import java.nio.ByteBuffer;

import io.gatehouse.core.internal.cgi.CgiResponseHead;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import io.undertow.util.Protocols;
import io.undertow.util.StatusCodes;

/**
 * Holds back the body of a response to an HTTP/1.0 client that the backend sent without a
 * length, so that a response which ends within {@link #LIMIT} goes out with a Content-Length
 * (and an HTTP/1.0 keep-alive connection stays open) instead of being delimited by the close.
 * HTTP/1.0 has no chunked encoding: without a length the connection must close after the body.
 *
 * <p>lighttpd 1.4.69 (default {@code server.stream-response-body = 0}) holds every response
 * whole, the first 64 KiB in memory and the rest in temporary files, and sends a length. gatehouse
 * holds the same 64 KiB in memory and, past them, streams the body and closes the connection
 * after it: a large body is not spooled to disk for a rare client.
 *
 * <p>Not thread-safe: used by the one thread that relays the response.
 */
final class Http10LengthBuffer {

    /**
     * Body bytes held per response at most: lighttpd's in-memory share of a buffered response
     * before it spools to a temporary file. A thousand HTTP/1.0 clients at once hold 64 MiB.
     */
    static final int LIMIT = 64 * 1024;

    /** The first buffer; it grows by doubling up to {@link #LIMIT}, as most pages are small. */
    private static final int FIRST_CAPACITY = 4 * 1024;

    private ByteBuffer held = ByteBuffer.allocate(FIRST_CAPACITY);

    /**
     * True when the response to {@code exchange}, whose head is {@code head}, should be held:
     * an HTTP/1.0 request, a response that may carry a body and has no length from the backend
     * (a chunked one is decoded and counts as having none).
     */
    static boolean appliesTo(HttpServerExchange exchange, CgiResponseHead head) {
        return exchange.getProtocol().equals(Protocols.HTTP_1_0)
                && (head.contentLength() < 0 || head.chunked()) && mayHaveBody(exchange);
    }

    /** False for a HEAD request and the statuses that never carry a body (1xx, 204, 304). */
    static boolean mayHaveBody(HttpServerExchange exchange) {
        int status = exchange.getStatusCode();
        return status >= 200 && status != StatusCodes.NO_CONTENT && status != StatusCodes.NOT_MODIFIED
                && !exchange.getRequestMethod().equals(Methods.HEAD);
    }

    /**
     * Takes all of {@code data} and returns true, or returns false and takes nothing when it
     * would pass {@link #LIMIT}: the caller then writes {@link #drain()} and {@code data} on.
     */
    boolean hold(ByteBuffer data) {
        int needed = held.position() + data.remaining();
        if (needed > LIMIT) {
            return false;
        }
        if (needed > held.capacity()) {
            int capacity = Math.min(LIMIT, Math.max(needed, 2 * held.capacity()));
            held = ByteBuffer.allocate(capacity).put(held.flip());
        }
        held.put(data);
        return true;
    }

    /** What was held, ready to be read; the buffer is not used again. */
    ByteBuffer drain() {
        ByteBuffer body = held.flip();
        held = null;
        return body;
    }
}
