package io.gatehouse.core.internal.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.undertow.protocols.http2.Http2DataStreamSinkChannel;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import org.xnio.IoUtils;

/**
 * The stream of an HTTP/2 exchange, which Undertow keeps private: gatehouse needs its id to match
 * the RST_STREAM frames a client sends (which Undertow does not pass on for a stream whose response
 * has not begun) with the requests they cancel, and its sink to close one that Undertow keeps open
 * after such a reset ({@link #closeSink}). This class alone reads Undertow's field;
 * {@code Http2StreamIdsTest} fails when Undertow is upgraded, so whoever upgrades it checks that
 * the field is still there and still the stream's.
 *
 * <p>Thread-safe.
 */
final class Http2StreamIds {

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

    private Http2StreamIds() {
    }

    /** The id of the stream whose exchange {@code connection} serves; an HTTP/2 exchange's connection only. */
    static int of(ServerConnection connection) {
        return sinkOf(connection).getStreamId();
    }

    /**
     * Closes the sink of the stream {@code connection} serves. Undertow keeps the sink of a stream
     * the client reset while response bytes waited for its window open, and with it the exchange,
     * until the whole connection closes; closed, the exchange ends.
     */
    static void closeSink(ServerConnection connection) {
        IoUtils.safeClose(sinkOf(connection));
    }

    private static Http2DataStreamSinkChannel sinkOf(ServerConnection connection) {
        return (Http2DataStreamSinkChannel) RESPONSE_CHANNEL.get((Http2ServerConnection) connection);
    }
}
