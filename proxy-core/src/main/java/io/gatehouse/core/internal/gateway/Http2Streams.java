package io.gatehouse.core.internal.gateway;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.undertow.protocols.http2.Http2DataStreamSinkChannel;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import org.xnio.IoUtils;

/**
 * The stream of an HTTP/2 exchange, which Undertow keeps private: gatehouse needs its id to match
 * the RST_STREAM frames a client sends (which Undertow does not pass on for a stream whose response
 * has not begun) with the requests they cancel, and its sink to end an exchange that Undertow keeps
 * open after the stream was reset ({@link #end}). This class alone reads Undertow's field;
 * {@code Http2StreamsTest} fails when Undertow is upgraded, so whoever upgrades it checks that
 * the field is still there and still the stream's.
 *
 * <p>Thread-safe.
 */
public final class Http2Streams {

    /** {@code Http2ServerConnection.responseChannel}: set by both its constructors, the upgrade's too. */
    private static final VarHandle RESPONSE_CHANNEL;

    static {
        try {
            RESPONSE_CHANNEL = MethodHandles.privateLookupIn(Http2ServerConnection.class, MethodHandles.lookup())
                    .findVarHandle(Http2ServerConnection.class, "responseChannel", Http2DataStreamSinkChannel.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("Undertow's Http2ServerConnection has no responseChannel field"
                    + " of the type it had in 2.3.27.Final: " + e);
        }
    }

    private Http2Streams() {
    }

    /** The id of the stream whose exchange {@code connection} serves; an HTTP/2 exchange's connection only. */
    public static int idOf(ServerConnection connection) {
        return sinkOf(connection).getStreamId();
    }

    /**
     * Ends {@code exchange}, whatever its protocol; on its I/O thread. Undertow keeps the sink of a
     * stream reset while response bytes waited for its window (a client that gives none, then
     * resets or is cut by a restart) open, and with it the exchange, until the whole connection
     * closes: such an exchange would keep its file, its place and its count in flight. Its sink
     * is closed, which ends it.
     */
    public static void end(HttpServerExchange exchange) {
        if (!exchange.isComplete()) {
            exchange.endExchange();
        }
        if (!exchange.isComplete() && exchange.getConnection() instanceof Http2ServerConnection) {
            IoUtils.safeClose(sinkOf(exchange.getConnection()));
        }
    }

    private static Http2DataStreamSinkChannel sinkOf(ServerConnection connection) {
        return (Http2DataStreamSinkChannel) RESPONSE_CHANNEL.get((Http2ServerConnection) connection);
    }
}
