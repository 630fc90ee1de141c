package io.gatehouse.core.internal.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.undertow.protocols.http2.Http2DataStreamSinkChannel;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http2.Http2ServerConnection;

/**
 * The stream id of an HTTP/2 exchange, which Undertow keeps private: gatehouse needs it to match
 * the RST_STREAM frames a client sends (which Undertow does not pass on for a stream whose response
 * has not begun) with the requests they cancel. This class alone reads Undertow's field;
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
        return ((Http2DataStreamSinkChannel) RESPONSE_CHANNEL.get((Http2ServerConnection) connection)).getStreamId();
    }
}
