package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Server side of a request header (SCGI netstring or uwsgi packet), parsed incrementally: feed
 * buffers as they arrive until {@link #parse} answers {@code true}; the bytes left in that buffer
 * are the start of the body.
 *
 * <p>Implementations hold per-request state and are not thread-safe: one parser per connection.
 */
public interface RequestHeaderParser {

    /**
     * Consumes header bytes from {@code in}, never a byte past the header.
     *
     * @return {@code true} once the header is complete (and stays so); {@code false} if more bytes
     *     are needed, in which case {@code in} has been consumed entirely
     * @throws ScgiException if the header is malformed or breaks a limit; the parser then stays failed
     */
    boolean parse(ByteBuffer in) throws ScgiException;

    /** The variables in wire order; only once {@link #parse} answered {@code true}. */
    Map<String, String> env();

    /** The body size from CONTENT_LENGTH; only once {@link #parse} answered {@code true}. */
    long contentLength();
}
