package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import io.undertow.server.HttpServerExchange;

/**
 * The request body as the backend gets it: read whole from the client before the backend is
 * contacted ({@link BodyCollector}, lighttpd's default too), so its length is known (CGI needs
 * CONTENT_LENGTH: php-fpm waits forever without it) and no thread ever waits for a slow client.
 * Small bodies are held in memory; larger ones in a temporary file in {@code server.upload-dirs},
 * created under a random name, readable by gatehouse's user only, and unlinked as soon as it is
 * open: nothing is left behind whichever way the request ends, gatehouse's own death included.
 *
 * <p>Not thread-safe: one request, one reader.
 */
final class RequestBody implements Closeable {

    private static final RequestBody EMPTY = new RequestBody(0, null, ByteBuffer.allocate(0));

    private final long length;
    private final FileChannel spooled;
    private final ByteBuffer inMemory;

    private RequestBody(long length, FileChannel spooled, ByteBuffer inMemory) {
        this.length = length;
        this.spooled = spooled;
        this.inMemory = inMemory;
    }

    /** The body of a request without one. */
    static RequestBody none() {
        return EMPTY;
    }

    /** A body read whole into {@code bytes}. */
    static RequestBody inMemory(byte[] bytes, int length) {
        return new RequestBody(length, null, ByteBuffer.wrap(bytes, 0, length));
    }

    /** A body read whole into {@code spool} (unlinked, positioned anywhere). */
    static RequestBody spooled(FileChannel spool, long length) throws IOException {
        spool.position(0);
        return new RequestBody(length, spool, null);
    }

    /**
     * The body of {@code exchange}: the one {@link BodyCollector} read, or none for a request
     * without one.
     *
     * @throws IllegalStateException for a request with a body nobody collected
     */
    static RequestBody of(HttpServerExchange exchange) {
        RequestBody collected = BodyCollector.take(exchange);
        if (collected != null) {
            return collected;
        }
        if (BodyCollector.hasBody(exchange)) {
            throw new IllegalStateException("the body of " + exchange.getRequestURI() + " was not read first");
        }
        return EMPTY;
    }

    long length() {
        return length;
    }

    /**
     * The whole body in one buffer, for a request framed whole ({@link OutgoingRequest}): the
     * memory itself, or the spool file read with positional reads (a body up to
     * {@link OutgoingRequest#WHOLE_LIMIT}), so {@link #read} still starts at the beginning afterwards.
     */
    ByteBuffer whole() throws IOException {
        if (spooled == null) {
            return inMemory.duplicate();
        }
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(length));
        readFully(all, 0);
        return all.flip();
    }

    /**
     * Fills {@code into} with the body's bytes from {@code position} on, with positional reads
     * (from the page cache the spool was just written to), so {@link #read} is not moved.
     */
    void readFully(ByteBuffer into, long position) throws IOException {
        if (spooled == null) {
            into.put(inMemory.duplicate().position(Math.toIntExact(position)).limit(
                    Math.toIntExact(position) + into.remaining()));
            return;
        }
        long at = position;
        while (into.hasRemaining()) {
            int n = spooled.read(into, at);
            if (n < 0) {
                throw new IOException("the spooled body ended after " + at + " of " + length + " bytes");
            }
            at += n;
        }
    }

    /** Reads up to {@code len} bytes; -1 at the end. */
    int read(byte[] buffer, int offset, int len) throws IOException {
        if (spooled != null) {
            return spooled.read(ByteBuffer.wrap(buffer, offset, len));
        }
        if (!inMemory.hasRemaining()) {
            return -1;
        }
        int n = Math.min(len, inMemory.remaining());
        inMemory.get(buffer, offset, n);
        return n;
    }

    @Override
    public void close() throws IOException {
        if (spooled != null) {
            spooled.close();
        }
    }
}
