package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects content that must be whole before it can be decoded (a BEGIN_REQUEST body, a params
 * stream spread over records), growing as needed up to a limit.
 *
 * <p>Not thread-safe; owned by one parser.
 */
final class ByteAccumulator {

    /** Most params streams are a few KiB; start there rather than at the limit. */
    private static final int INITIAL_CAPACITY = 4096;

    private final String field;
    private final int limit;
    private byte[] bytes = new byte[0];
    private int length;

    ByteAccumulator(String field, int limit) {
        this.field = field;
        this.limit = limit;
    }

    void reset() {
        length = 0;
    }

    /** Fails before any byte is copied when {@code more} bytes would take the total past the limit. */
    void checkRoomFor(int more, int requestId) throws FcgiException {
        long total = (long) length + more;
        if (total > limit) {
            throw new FcgiException(
                    field + " " + total + " exceeds limit " + limit + " (request id " + requestId + ")");
        }
    }

    void append(ByteBuffer content, int requestId) throws FcgiException {
        int more = content.remaining();
        checkRoomFor(more, requestId);
        if (length + more > bytes.length) {
            int grown = Math.max(INITIAL_CAPACITY, bytes.length);
            while (grown < length + more) {
                grown = Math.min(limit, grown * 2);
            }
            bytes = Arrays.copyOf(bytes, grown);
        }
        content.get(bytes, length, more);
        length += more;
    }

    /** The collected bytes, as a buffer positioned at the first one. */
    ByteBuffer view() {
        return ByteBuffer.wrap(bytes, 0, length);
    }
}
