package io.gatehouse.core.internal.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import io.gatehouse.core.internal.cgi.CgiVariables;

/**
 * How one protocol (FastCGI, SCGI, uwsgi) frames a request to a backend and delimits its answer.
 * Implementations are stateless and thread-safe.
 */
public interface BackendProtocol {

    /** The most body bytes one piece carries ({@link #pieceHeader}): FastCGI's largest record. */
    int MAX_BODY_PIECE = 64 * 1024 - 1;


    /**
     * What precedes the body: BEGIN_REQUEST+PARAMS, or the SCGI netstring / uwsgi packet.
     *
     * @param keepConn ask the backend to keep the connection open after the response; ignored by
     *                 protocols that end responses at EOF
     */
    ByteBuffer requestHead(Map<String, String> env, boolean keepConn) throws IOException;

    /**
     * {@link #requestHead(Map, boolean)} for variables that {@code variables} hands over one by one;
     * a protocol that can encode them as they come does so, without a map in between.
     */
    default ByteBuffer requestHead(VariableSource variables, boolean keepConn) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(64);
        variables.writeTo(env::put);
        return requestHead(env, keepConn);
    }

    /** Writes a request's CGI variables, in order, into the {@link CgiVariables} it is given. */
    @FunctionalInterface
    interface VariableSource {

        void writeTo(CgiVariables<IOException> out) throws IOException;
    }

    /** True when a connection can carry more than one request (FastCGI with FCGI_KEEP_CONN). */
    boolean canKeepConnection();

    /**
     * The whole request, {@code head} and {@code body} (whose remaining bytes are the whole body)
     * framed and terminated, as buffers to write in one go. The
     * body's bytes are shared, not copied. Each buffer starts at position 0, so rewinding them all
     * gives the same request again (a retry on a new connection does).
     */
    ByteBuffer[] wholeRequest(ByteBuffer head, ByteBuffer body);

    /**
     * The frame header that goes before a piece of a body of {@code length} bytes (at most
     * {@link #MAX_BODY_PIECE}, at least one), flipped; empty when the protocol frames none.
     */
    ByteBuffer pieceHeader(int length);

    /** What follows the last piece of a body (possibly nothing: an empty buffer). */
    ByteBuffer endOfBody();

    /** {@link #wholeRequest} of a body-less exchange. */
    default ByteBuffer[] bodylessRequest(ByteBuffer head) {
        return wholeRequest(head, ByteBuffer.allocate(0));
    }

    /** A reader for one response, naming {@code target} in its errors. */
    ResponseReader newResponseReader(ResponseSink sink, String target);
}
