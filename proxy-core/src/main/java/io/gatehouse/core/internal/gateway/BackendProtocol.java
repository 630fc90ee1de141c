package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

/**
 * How one protocol (FastCGI, SCGI, uwsgi) frames a request to a backend and delimits its answer.
 * Implementations are stateless and thread-safe.
 */
interface BackendProtocol {

    /**
     * What precedes the body: BEGIN_REQUEST+PARAMS, or the SCGI netstring / uwsgi packet.
     *
     * @param keepConn ask the backend to keep the connection open after the response; ignored by
     *                 protocols that end responses at EOF
     */
    ByteBuffer requestHead(Map<String, String> env, boolean keepConn) throws IOException;

    /** True when a connection can carry more than one request (FastCGI with FCGI_KEEP_CONN). */
    boolean canKeepConnection();

    /** Sends {@code head} and the whole body, framed and terminated as the protocol requires. */
    void sendRequest(ByteBuffer head, RequestBody body, BackendConnection connection, Duration writeTimeout)
            throws IOException;

    /**
     * Reads the response into {@code sink} until it ends.
     *
     * @return true when the response ended cleanly at a record boundary with nothing unread after
     *         it, so the connection may carry another request if the backend was asked to keep it
     * @throws PrematureEofException when the backend closes before the response is complete
     */
    boolean readResponse(BackendConnection connection, ResponseSink sink, Duration readTimeout) throws IOException;
}
