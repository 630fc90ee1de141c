package io.gatehouse.core.internal.gateway;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

import io.gatehouse.core.internal.cgi.BadGatewayException;
import io.gatehouse.core.internal.cgi.ChunkedBodyDecoder;
import io.undertow.conduits.ChunkedStreamSourceConduit;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import org.xnio.conduits.AbstractConduit;
import org.xnio.conduits.Conduit;
import org.xnio.conduits.ConduitLayers;
import org.xnio.conduits.StreamSourceConduit;

/**
 * A chunked request body decoded with exact framing. Undertow's own chunk reader skips whatever
 * stands between a chunk's data and the next line end ({@code 4\r\nDATAjunk\r\n} reads as
 * {@code DATA}) and reads any characters after the size: a proxy in front that frames the same
 * bytes differently would see other requests than gatehouse does. This source reads the bytes
 * under Undertow's reader and decodes them with {@link ChunkedBodyDecoder#forRequests}, which
 * refuses junk and any line end but CRLF, bounds size lines, extensions and trailers; then it
 * does what Undertow's reader does at the end of a body: hands bytes read past it back to the
 * connection (the next request) and marks the request complete.
 *
 * <p>Confined to the exchange's I/O thread.
 */
final class StrictChunkedSource {

    /** Raw bytes read at a time; held only while some are left to decode. */
    private static final int READ_SIZE = 16 * 1024;

    private final HttpServerExchange exchange;
    private final HttpServerConnection connection;
    private final StreamSourceConduit raw;
    private final ChunkedBodyDecoder decoder = ChunkedBodyDecoder.forRequests();
    private ByteBuffer pending;
    private boolean done;

    private StrictChunkedSource(HttpServerExchange exchange, HttpServerConnection connection, StreamSourceConduit raw) {
        this.exchange = exchange;
        this.connection = connection;
        this.raw = raw;
    }

    /**
     * The source for a chunked HTTP/1.1 request, or null where Undertow's reader is not found
     * (then the body is read through Undertow's).
     */
    static StrictChunkedSource open(HttpServerExchange exchange) {
        if (!(exchange.getConnection() instanceof HttpServerConnection connection)) {
            return null;
        }
        Conduit conduit = connection.getChannel().getSourceChannel().getConduit();
        while (!(conduit instanceof ChunkedStreamSourceConduit)) {
            if (!(conduit instanceof AbstractConduit<?> layered)) {
                return null;
            }
            conduit = ConduitLayers.below(layered);
        }
        Conduit below = ConduitLayers.below((ChunkedStreamSourceConduit) conduit);
        return below instanceof StreamSourceConduit raw ? new StrictChunkedSource(exchange, connection, raw) : null;
    }

    /**
     * Decodes into {@code into}: the bytes decoded, 0 when the client must send more, -1 once
     * the body is complete.
     *
     * @throws IOException the framing is malformed (the message says how) or the client closed
     *                     before the end of the body
     */
    int read(ByteBuffer into) throws IOException {
        if (done) {
            return -1;
        }
        int start = into.position();
        while (into.hasRemaining()) {
            if (pending == null || !pending.hasRemaining()) {
                pending = pending == null ? ByteBuffer.allocate(READ_SIZE) : pending.clear();
                int n = raw.read(pending);
                pending.flip();
                if (n < 0) {
                    throw new EOFException("the client closed the connection inside a chunked body");
                }
                if (n == 0) {
                    pending = null;
                    break;
                }
            }
            boolean complete;
            try {
                complete = decoder.decode(pending, into);
            } catch (BadGatewayException e) {
                throw new IOException("request body: " + e.getMessage(), e);
            }
            if (complete) {
                end();
                break;
            }
        }
        int decoded = into.position() - start;
        return decoded == 0 && done ? -1 : decoded;
    }

    private void end() {
        done = true;
        if (pending != null && pending.hasRemaining()) {
            // Bytes past the body: the start of the next request on the connection.
            PooledByteBuffer next = connection.getByteBufferPool().allocate();
            next.getBuffer().clear();
            next.getBuffer().put(pending).flip();
            connection.ungetRequestBytes(next);
        }
        pending = null;
        Connectors.terminateRequest(exchange);
    }
}
