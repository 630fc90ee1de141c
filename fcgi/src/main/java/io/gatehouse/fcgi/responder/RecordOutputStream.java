package io.gatehouse.fcgi.responder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

import io.gatehouse.fcgi.Fcgi;
import io.gatehouse.fcgi.FcgiResponseGenerator;
import io.gatehouse.fcgi.RecordType;

/**
 * STDOUT or STDERR as the application writes it: bytes are collected into one record's worth
 * (65535 bytes) and sent when that fills up, on {@link #flush()}, and when the request ends.
 *
 * <p>Not thread-safe: used by the connection's thread, inside {@link FcgiApplication#handle}.
 */
final class RecordOutputStream extends OutputStream {

    private final ResponderConnection connection;
    private final int requestId;
    private final RecordType type;
    private final ByteBuffer content = ByteBuffer.allocate(Fcgi.MAX_CONTENT_LENGTH);
    private final ByteBuffer record = ByteBuffer.allocate(Fcgi.HEADER_LENGTH + Fcgi.MAX_CONTENT_LENGTH);
    private boolean written;
    private boolean ended;

    RecordOutputStream(ResponderConnection connection, int requestId, RecordType type) {
        this.connection = connection;
        this.requestId = requestId;
        this.type = type;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        checkOpen();
        while (length > 0) {
            int n = Math.min(length, content.remaining());
            content.put(bytes, offset, n);
            offset += n;
            length -= n;
            written = true;
            if (!content.hasRemaining()) {
                sendContent();
            }
        }
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
        sendContent();
    }

    /** Closing the stream only flushes it: the stream is ended when the request ends. */
    @Override
    public void close() throws IOException {
        if (!ended) {
            sendContent();
        }
    }

    /** True once the application wrote a byte, sent or not. */
    boolean written() {
        return written;
    }

    /** Sends what is buffered, then the empty record that ends the stream (STDERR only if it was used). */
    void finish() throws IOException {
        if (ended) {
            return;
        }
        sendContent();
        ended = true;
        if (type == RecordType.STDOUT || written) {
            record.clear();
            if (type == RecordType.STDOUT) {
                FcgiResponseGenerator.endOfStdout(record, requestId);
            } else {
                FcgiResponseGenerator.endOfStderr(record, requestId);
            }
            connection.write(record.flip());
        }
    }

    private void sendContent() throws IOException {
        if (content.position() == 0) {
            return;
        }
        content.flip();
        record.clear();
        if (type == RecordType.STDOUT) {
            FcgiResponseGenerator.stdout(record, requestId, content, false);
        } else {
            FcgiResponseGenerator.stderr(record, requestId, content, false);
        }
        content.clear();
        connection.write(record.flip());
    }

    private void checkOpen() throws IOException {
        if (ended) {
            throw new IOException(type + " of request id " + requestId + " was written after the request ended");
        }
    }
}
