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

    /** What precedes the body: BEGIN_REQUEST+PARAMS, or the SCGI netstring / uwsgi packet. */
    ByteBuffer requestHead(Map<String, String> env) throws IOException;

    /** Sends {@code head} and the whole body, framed and terminated as the protocol requires. */
    void sendRequest(ByteBuffer head, RequestBody body, BackendConnection connection, Duration writeTimeout)
            throws IOException;

    /**
     * Reads the response into {@code sink} until it ends.
     *
     * @throws PrematureEofException when the backend closes before the response is complete
     */
    void readResponse(BackendConnection connection, ResponseSink sink, Duration readTimeout) throws IOException;
}
