package io.gatehouse.scgi.responder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * The response as the application writes it: buffered, and aware of whether anything reached the
 * connection yet, so a failing application can still be answered with a clean 500.
 *
 * <p>Not thread-safe: used by the one thread serving the connection.
 */
final class ResponseOutputStream extends OutputStream {

    /** Large enough for a CGI header block and a small page in one write. */
    private static final int BUFFER_SIZE = 8192;

    private final WritableByteChannel channel;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int count;
    private boolean committed;
    private boolean clientGone;
    private boolean closed;

    ResponseOutputStream(WritableByteChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        requireOpen();
        if (len >= buffer.length) {
            flushBuffer();
            writeFully(ByteBuffer.wrap(b, off, len));
            return;
        }
        if (count + len > buffer.length) {
            flushBuffer();
        }
        System.arraycopy(b, off, buffer, count, len);
        count += len;
    }

    @Override
    public void flush() throws IOException {
        requireOpen();
        flushBuffer();
    }

    /** Flushes; the connection itself stays open, the responder closes it after the application returns. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            flushBuffer();
            closed = true;
        }
    }

    /** True once any byte was handed to the connection: the response can no longer be replaced. */
    boolean committed() {
        return committed;
    }

    /** True once writing failed because the client closed or reset the connection. */
    boolean clientGone() {
        return clientGone;
    }

    /** Drops what the application buffered and sends {@code response} instead; only while not committed. */
    void replaceUncommitted(byte[] response) throws IOException {
        if (committed) {
            throw new IllegalStateException("response already committed");
        }
        count = 0;
        writeFully(ByteBuffer.wrap(response));
        closed = true;
    }

    void flushBuffer() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0;
            writeFully(ByteBuffer.wrap(buffer, 0, n));
        }
    }

    private void requireOpen() throws IOException {
        if (closed) {
            throw new IOException("response stream already closed");
        }
    }

    private void writeFully(ByteBuffer data) throws IOException {
        committed = true;
        try {
            while (data.hasRemaining()) {
                channel.write(data);
            }
        } catch (IOException e) {
            clientGone = true;
            throw e;
        }
    }
}
