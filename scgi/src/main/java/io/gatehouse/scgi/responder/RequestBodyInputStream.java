package io.gatehouse.scgi.responder;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * The request body as the application sees it: the bytes that arrived with the header, then the
 * connection, cut at CONTENT_LENGTH. A client that closes early is an error here (the length was
 * promised), flagged so the responder can end the connection quietly.
 *
 * <p>Not thread-safe: used by the one thread serving the connection.
 */
final class RequestBodyInputStream extends InputStream {

    /** Chunk size for discarding an unread body before closing. */
    private static final int DRAIN_CHUNK = 8192;

    private final ReadableByteChannel channel;
    private final ByteBuffer alreadyRead;
    private final long contentLength;
    private long remaining;
    private boolean clientGone;

    RequestBodyInputStream(ReadableByteChannel channel, ByteBuffer alreadyRead, long contentLength) {
        this.channel = channel;
        this.alreadyRead = alreadyRead;
        this.contentLength = contentLength;
        this.remaining = contentLength;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (remaining == 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int wanted = (int) Math.min(len, remaining);
        int n;
        if (alreadyRead.hasRemaining()) {
            n = Math.min(wanted, alreadyRead.remaining());
            alreadyRead.get(b, off, n);
        } else {
            n = readChannel(ByteBuffer.wrap(b, off, wanted));
        }
        remaining -= n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(alreadyRead.remaining(), remaining);
    }

    /** True once reading failed because the client closed or reset the connection. */
    boolean clientGone() {
        return clientGone;
    }

    /** Reads and drops what is left of the body, so closing does not reset a client still sending it. */
    void drain() throws IOException {
        byte[] sink = new byte[DRAIN_CHUNK];
        while (read(sink, 0, sink.length) > 0) {
            // the body ends after at most contentLength bytes, so this loop is bounded
        }
    }

    private int readChannel(ByteBuffer into) throws IOException {
        int n;
        try {
            n = channel.read(into);
        } catch (IOException e) {
            clientGone = true;
            throw e;
        }
        if (n < 0) {
            clientGone = true;
            throw new EOFException("client closed the connection after " + (contentLength - remaining)
                    + " of " + contentLength + " body bytes (CONTENT_LENGTH)");
        }
        return n;
    }
}
