package io.gatehouse.fcgi;

import java.nio.ByteBuffer;

/**
 * The 8-byte header in front of every FastCGI record (layout in {@link Fcgi}).
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param version       protocol version, {@link Fcgi#VERSION} on a valid record
 * @param type          record type
 * @param requestId     0 for management records, else the request the record belongs to
 * @param contentLength bytes of content after the header, 0..65535
 * @param paddingLength bytes of padding after the content, 0..255
 */
public record RecordHeader(int version, RecordType type, int requestId, int contentLength, int paddingLength) {

    public RecordHeader {
        if (type == null) {
            throw new IllegalArgumentException("type is null");
        }
        checkRanges(requestId, contentLength, paddingLength);
    }

    /** Writes this header at the position of {@code out}. */
    public void write(ByteBuffer out) {
        put(out, version, type.code(), requestId, contentLength, paddingLength);
    }

    /**
     * Writes a version-1 header at the position of {@code out}; the caller then writes the
     * {@code contentLength} content bytes and {@code paddingLength} padding bytes.
     *
     * @throws IllegalArgumentException if a field is outside its wire range
     * @throws java.nio.BufferOverflowException if {@code out} has fewer than 8 bytes left
     */
    public static void write(ByteBuffer out, RecordType type, int requestId, int contentLength, int paddingLength) {
        checkRanges(requestId, contentLength, paddingLength);
        put(out, Fcgi.VERSION, type.code(), requestId, contentLength, paddingLength);
    }

    /** Like {@link #write(ByteBuffer, RecordType, int, int, int)} for a type code this enum may not know. */
    static void write(ByteBuffer out, int typeCode, int requestId, int contentLength, int paddingLength) {
        if (typeCode < 0 || typeCode > 255) {
            throw new IllegalArgumentException("type code " + typeCode + " is outside 0..255");
        }
        checkRanges(requestId, contentLength, paddingLength);
        put(out, Fcgi.VERSION, typeCode, requestId, contentLength, paddingLength);
    }

    private static void put(ByteBuffer out, int version, int typeCode, int requestId, int contentLength,
            int paddingLength) {
        out.put((byte) version)
                .put((byte) typeCode)
                .putShort((short) requestId)
                .putShort((short) contentLength)
                .put((byte) paddingLength)
                .put((byte) 0);
    }

    private static void checkRanges(int requestId, int contentLength, int paddingLength) {
        Fcgi.checkRequestId(requestId, true);
        if (contentLength < 0 || contentLength > Fcgi.MAX_CONTENT_LENGTH) {
            throw new IllegalArgumentException(
                    "contentLength " + contentLength + " is outside 0.." + Fcgi.MAX_CONTENT_LENGTH);
        }
        if (paddingLength < 0 || paddingLength > Fcgi.MAX_PADDING_LENGTH) {
            throw new IllegalArgumentException(
                    "paddingLength " + paddingLength + " is outside 0.." + Fcgi.MAX_PADDING_LENGTH);
        }
    }
}
