package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

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

    /** A body read whole into {@code spool} (unlinked). */
    static RequestBody spooled(FileChannel spool, long length) {
        return new RequestBody(length, spool, null);
    }

    long length() {
        return length;
    }

    /**
     * The whole body in one buffer, for a request framed whole ({@link OutgoingRequest}): the
     * memory itself, or the spool file read with positional reads (a body up to
     * {@link OutgoingRequest#WHOLE_LIMIT}).
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
     * (from the page cache the spool was just written to), leaving the file's position alone.
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

    /**
     * Sends up to {@code count} bytes of a spooled body from {@code position} to {@code target}
     * by the kernel, without copying them through the heap; 0 when a non-blocking target is full.
     */
    long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        if (spooled == null) {
            throw new IllegalStateException("only a spooled body is sent by transfer");
        }
        return spooled.transferTo(position, count, target);
    }

    @Override
    public void close() throws IOException {
        if (spooled != null) {
            spooled.close();
        }
    }
}
