package io.gatehouse.fcgi;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Server side: the records a FastCGI application sends back to the web server.
 *
 * <p>STDOUT and STDERR content is cut into records of at most 65535 bytes; with {@code pad} each
 * record is padded to a multiple of {@link Fcgi#RECORD_ALIGNMENT} bytes, as the specification
 * recommends for speed (it is optional, and lighttpd accepts both). An empty record ends a
 * stream: {@link #endOfStdout}, {@link #endOfStderr}.
 *
 * <p>Stateless; safe to use from any thread.
 */
public final class FcgiResponseGenerator {

    /** Bytes of one END_REQUEST or UNKNOWN_TYPE record. */
    public static final int CONTROL_RECORD_LENGTH = Fcgi.HEADER_LENGTH + Fcgi.END_REQUEST_BODY_LENGTH;

    private static final long MAX_APP_STATUS = 0xFFFF_FFFFL;

    private static final byte[] ZEROS = new byte[Fcgi.MAX_PADDING_LENGTH];

    private FcgiResponseGenerator() {
    }

    /** Bytes {@link #stdout}/{@link #stderr} write for {@code contentLength} bytes of content. */
    public static int encodedLength(int contentLength, boolean pad) {
        if (contentLength < 0) {
            throw new IllegalArgumentException("contentLength " + contentLength + " is negative");
        }
        int fullRecords = contentLength / Fcgi.MAX_CONTENT_LENGTH;
        int rest = contentLength % Fcgi.MAX_CONTENT_LENGTH;
        int perFullRecord = Fcgi.HEADER_LENGTH + Fcgi.MAX_CONTENT_LENGTH
                + (pad ? Fcgi.alignmentPadding(Fcgi.MAX_CONTENT_LENGTH) : 0);
        int restRecord = rest == 0 ? 0 : Fcgi.HEADER_LENGTH + rest + (pad ? Fcgi.alignmentPadding(rest) : 0);
        return Math.addExact(Math.multiplyExact(fullRecords, perFullRecord), restRecord);
    }

    /**
     * Writes all remaining bytes of {@code content} as STDOUT records (nothing if it is empty),
     * advancing its position.
     *
     * @throws BufferOverflowException if {@code out} has less than {@link #encodedLength} left;
     *                                          nothing is written then
     */
    public static void stdout(ByteBuffer out, int requestId, ByteBuffer content, boolean pad) {
        stream(out, RecordType.STDOUT, requestId, content, pad);
    }

    /** Like {@link #stdout} for STDERR records. */
    public static void stderr(ByteBuffer out, int requestId, ByteBuffer content, boolean pad) {
        stream(out, RecordType.STDERR, requestId, content, pad);
    }

    /** Writes the empty STDOUT record that ends the stream. */
    public static void endOfStdout(ByteBuffer out, int requestId) {
        Fcgi.checkRequestId(requestId, false);
        RecordHeader.write(out, RecordType.STDOUT, requestId, 0, 0);
    }

    /** Writes the empty STDERR record that ends the stream. */
    public static void endOfStderr(ByteBuffer out, int requestId) {
        Fcgi.checkRequestId(requestId, false);
        RecordHeader.write(out, RecordType.STDERR, requestId, 0, 0);
    }

    /**
     * Writes END_REQUEST.
     *
     * @param appStatus the application's exit status, 0..2^32-1 (the CGI exit status)
     */
    public static void endRequest(ByteBuffer out, int requestId, long appStatus, ProtocolStatus status) {
        Fcgi.checkRequestId(requestId, false);
        if (appStatus < 0 || appStatus > MAX_APP_STATUS) {
            throw new IllegalArgumentException("appStatus " + appStatus + " is outside 0.." + MAX_APP_STATUS);
        }
        RecordHeader.write(out, RecordType.END_REQUEST, requestId, Fcgi.END_REQUEST_BODY_LENGTH, 0);
        out.putInt((int) appStatus);
        out.put((byte) status.code());
        out.put(ZEROS, 0, 3);
    }

    /** Writes UNKNOWN_TYPE on the null request id, answering a record of type code {@code type}. */
    public static void unknownType(ByteBuffer out, int type) {
        if (type < 0 || type > 255) {
            throw new IllegalArgumentException("type code " + type + " is outside 0..255");
        }
        RecordHeader.write(out, RecordType.UNKNOWN_TYPE, Fcgi.NULL_REQUEST_ID, Fcgi.UNKNOWN_TYPE_BODY_LENGTH, 0);
        out.put((byte) type);
        out.put(ZEROS, 0, 7);
    }

    /**
     * GET_VALUES_RESULT on the null request id holding {@code values} (flipped, ready to write).
     *
     * @throws FcgiException if a name or value is not a byte string or the values exceed one record
     */
    public static ByteBuffer getValuesResult(Map<String, String> values) throws FcgiException {
        return ManagementRecords.record(RecordType.GET_VALUES_RESULT, values);
    }

    private static void stream(ByteBuffer out, RecordType type, int requestId, ByteBuffer content, boolean pad) {
        Fcgi.checkRequestId(requestId, false);
        if (out.remaining() < encodedLength(content.remaining(), pad)) {
            throw new BufferOverflowException();
        }
        while (content.hasRemaining()) {
            int chunk = Math.min(content.remaining(), Fcgi.MAX_CONTENT_LENGTH);
            int padding = pad ? Fcgi.alignmentPadding(chunk) : 0;
            RecordHeader.write(out, type, requestId, chunk, padding);
            out.put(content.slice(content.position(), chunk));
            content.position(content.position() + chunk);
            out.put(ZEROS, 0, padding);
        }
    }
}
