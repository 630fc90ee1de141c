package io.gatehouse.core.internal.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Takes a backend's response as it arrives, in whatever pieces the socket delivers, and passes
 * the CGI bytes on to a {@link ResponseSink}; fed on each readiness event of the backend socket.
 *
 * <p>Not thread-safe: one per response.
 */
public interface ResponseReader {

    /**
     * Takes bytes read from the backend.
     *
     * @return true when the response is complete (bytes after its end stay in {@code data})
     */
    boolean feed(ByteBuffer data) throws IOException;

    /**
     * The backend closed the connection before {@link #feed} saw the end: fine for protocols
     * whose responses end at EOF, otherwise a {@link PrematureEofException}.
     */
    void endOfStream() throws IOException;

    /**
     * True when the response ended cleanly at a record boundary with nothing unread after it, so
     * the connection may carry another request if the backend was asked to keep it.
     */
    boolean clean();
}
