package io.gatehouse.fcgi.responder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The request body as the application reads it: STDIN content is read from the connection only
 * when the bytes already received are used up, so a large body never sits in memory.
 *
 * <p>Not thread-safe: used by the connection's thread, inside {@link FcgiApplication#handle}.
 */
final class RequestBodyStream extends InputStream {

    private final ResponderConnection connection;
    private final ActiveRequest request;
    private boolean ended;

    RequestBodyStream(ResponderConnection connection, ActiveRequest request) {
        this.connection = connection;
        this.request = request;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (ended) {
            throw new IOException("the body of request id " + request.id + " was read after the request ended");
        }
        if (length == 0) {
            return 0;
        }
        ByteBuffer pending = request.pendingStdin();
        while (!pending.hasRemaining()) {
            if (request.stdinEnded()) {
                return -1;
            }
            if (request.aborted()) {
                throw new RequestAbortedException(request.id);
            }
            connection.readMore("STDIN of request id " + request.id);
        }
        int n = Math.min(length, pending.remaining());
        pending.get(into, offset, n);
        return n;
    }

    @Override
    public int available() {
        return ended ? 0 : request.pendingStdin().remaining();
    }

    /** Called when the application returned: further reads fail. */
    void end() {
        ended = true;
    }
}
