package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;

import io.gatehouse.core.internal.backend.IoThreads;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import org.xnio.IoUtils;

/**
 * What a restart or a stop needs to cut one admitted request short: its client connection and
 * what the request holds open meanwhile: while its body is read, what closes the body's spool
 * file (a closed connection tells no reader); while the gateway is talking to a backend for it,
 * that backend connection, so that the backend's worker is freed at once, not when it next writes.
 *
 * <p>Thread-safe: the request's I/O thread attaches and detaches, any thread may {@link #abort()}.
 */
public final class RequestTicket {

    /** Where the admitting thread leaves the ticket for the gateway. */
    public static final AttachmentKey<RequestTicket> KEY = AttachmentKey.create(RequestTicket.class);

    private final HttpServerExchange exchange;
    private volatile Closeable backend;
    private volatile boolean aborted;

    public RequestTicket(HttpServerExchange exchange) {
        this.exchange = exchange;
    }

    public HttpServerExchange exchange() {
        return exchange;
    }

    /** Records what the request holds open now; closes it at once if the request was aborted meanwhile. */
    void attach(Closeable connection) {
        backend = connection;
        if (aborted) {
            closeQuietly(connection);
        }
    }

    void detach() {
        backend = null;
    }

    /**
     * Closes the client connection and what the request holds open, if anything, and ends the
     * exchange. Idempotent. An HTTP/2 stream's connection is the stream: closing it resets the
     * stream, and Undertow, which then forgets the exchange, would never end it (nor run what
     * waits for its end, such as giving back the stream's place on its connection), nor one whose
     * response waits for the client's window ({@link Http2Streams#end}).
     */
    public void abort() {
        aborted = true;
        Closeable connection = backend;
        if (connection != null) {
            closeQuietly(connection);
        }
        exchange.setPersistent(false);
        IoUtils.safeClose(exchange.getConnection());
        try {
            IoThreads.runOn(exchange.getIoThread(), () -> Http2Streams.end(exchange));
        } catch (RejectedExecutionException stopped) {
            // the I/O threads are gone: so is the exchange, with the server
        }
    }

    public boolean isAborted() {
        return aborted;
    }

    private static void closeQuietly(Closeable connection) {
        try {
            connection.close();
        } catch (IOException ignored) {
            // aborting: the connection is being thrown away either way
        }
    }
}
