package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSourceChannel;

/**
 * The request body as the backend gets it: always with a known length, because CGI needs
 * CONTENT_LENGTH (php-fpm waits forever without it). A body with a Content-Length is streamed
 * from the client as the backend reads it; a chunked body is spooled to a temporary file first,
 * bounded by {@code server.max-request-size}, and the file is deleted on {@link #close()}.
 *
 * <p>The exchange's channel is read in blocking style from a gateway thread (XNIO parks the
 * thread, not an I/O thread). Not thread-safe: one request, one reader.
 */
final class RequestBody implements Closeable {

    private static final StreamSourceChannel NO_CHANNEL = null;

    private final long length;
    private final StreamSourceChannel client;
    private final FileChannel spooled;
    private final Path spoolFile;

    private RequestBody(long length, StreamSourceChannel client, FileChannel spooled, Path spoolFile) {
        this.length = length;
        this.client = client;
        this.spooled = spooled;
        this.spoolFile = spoolFile;
    }

    /**
     * Prepares the body of a blocking exchange.
     *
     * @param maxBytes {@code server.max-request-size} in bytes, 0 = unlimited
     * @throws BadRequestException 413 when the body is larger than {@code maxBytes}
     */
    static RequestBody of(HttpServerExchange exchange, long maxBytes) throws IOException {
        long declared = exchange.getRequestContentLength();
        if (declared >= 0) {
            checkLimit(declared, maxBytes);
            return new RequestBody(declared, declared == 0 ? NO_CHANNEL : exchange.getRequestChannel(), null, null);
        }
        if (!exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)) {
            return new RequestBody(0, NO_CHANNEL, null, null);
        }
        return spool(exchange.getRequestChannel(), maxBytes);
    }

    private static RequestBody spool(StreamSourceChannel from, long maxBytes) throws IOException {
        Path file = Files.createTempFile("gatehouse-body-", ".tmp");
        FileChannel spool = null;
        try {
            spool = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            long total = 0;
            while (Channels.readBlocking(from, buffer) > 0) {
                buffer.flip();
                total += buffer.remaining();
                checkLimit(total, maxBytes);
                while (buffer.hasRemaining()) {
                    spool.write(buffer);
                }
                buffer.clear();
            }
            spool.position(0);
            return new RequestBody(total, NO_CHANNEL, spool, file);
        } catch (IOException | RuntimeException e) {
            if (spool != null) {
                spool.close();
            }
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private static void checkLimit(long size, long maxBytes) throws BadRequestException {
        if (maxBytes > 0 && size > maxBytes) {
            throw new BadRequestException(413, "request body of " + size
                    + " bytes is over server.max-request-size (" + maxBytes + " bytes)");
        }
    }

    long length() {
        return length;
    }

    /** Reads up to {@code len} bytes; -1 at the end. A short body (client went away) fails. */
    int read(byte[] buffer, int offset, int len) throws IOException {
        ByteBuffer into = ByteBuffer.wrap(buffer, offset, len);
        if (spooled != null) {
            return spooled.read(into);
        }
        if (client == null) {
            return -1;
        }
        return Channels.readBlocking(client, into);
    }

    @Override
    public void close() throws IOException {
        if (spoolFile != null) {
            try {
                spooled.close();
            } finally {
                Files.deleteIfExists(spoolFile);
            }
        }
    }
}
