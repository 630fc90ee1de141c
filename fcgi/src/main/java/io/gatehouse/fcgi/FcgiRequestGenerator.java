package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Client side: the records a web server sends to a FastCGI application.
 *
 * <p>A request is {@link #beginRequest} (BEGIN_REQUEST, PARAMS, empty PARAMS), then the body as
 * STDIN records ({@link #stdinHeader} followed by the caller's bytes), then {@link #endOfStdin}.
 * No padding is written (none is needed; lighttpd writes none either).
 *
 * <p>Stateless; safe to use from any thread.
 */
public final class FcgiRequestGenerator {

    private FcgiRequestGenerator() {
    }

    /**
     * BEGIN_REQUEST (role responder, {@code keepConn} as flag) + PARAMS + empty PARAMS, in one buffer
     * ready to write (flipped). All params go in one PARAMS record when they fit in 65535 bytes (some
     * responders answer on the first non-empty PARAMS record); otherwise they are split across as
     * many records as needed, and a pair may span records.
     *
     * @param requestId 1..65535
     * @param params    CGI parameters as byte strings, in the order to send them
     * @throws FcgiException if a name or value holds a char above 0xFF, is null, or the encoded params
     *                       exceed {@link Fcgi#MAX_PARAMS_LENGTH}
     */
    public static ByteBuffer beginRequest(int requestId, boolean keepConn, Map<String, String> params)
            throws FcgiException {
        BeginRequestWriter writer = new BeginRequestWriter(requestId, keepConn);
        for (Map.Entry<String, String> param : params.entrySet()) {
            writer.param(param.getKey(), param.getValue());
        }
        return writer.finish();
    }

    /**
     * Writes the 8-byte STDIN record header for {@code contentLength} bytes that the caller sends
     * right after it.
     *
     * @param contentLength 1..65535 (an empty STDIN record ends the body: use {@link #endOfStdin})
     */
    public static void stdinHeader(ByteBuffer out, int requestId, int contentLength) {
        Fcgi.checkRequestId(requestId, false);
        if (contentLength < 1 || contentLength > Fcgi.MAX_CONTENT_LENGTH) {
            throw new IllegalArgumentException("STDIN contentLength " + contentLength + " is outside 1.."
                    + Fcgi.MAX_CONTENT_LENGTH + " (an empty record ends the body: use endOfStdin)");
        }
        RecordHeader.write(out, RecordType.STDIN, requestId, contentLength, 0);
    }

    /** The empty STDIN record that ends the body (flipped, ready to write). */
    public static ByteBuffer endOfStdin(int requestId) {
        Fcgi.checkRequestId(requestId, false);
        ByteBuffer out = ByteBuffer.allocate(Fcgi.HEADER_LENGTH);
        RecordHeader.write(out, RecordType.STDIN, requestId, 0, 0);
        return out.flip();
    }

    /** ABORT_REQUEST for {@code requestId} (flipped, ready to write). */
    public static ByteBuffer abortRequest(int requestId) {
        Fcgi.checkRequestId(requestId, false);
        ByteBuffer out = ByteBuffer.allocate(Fcgi.HEADER_LENGTH);
        RecordHeader.write(out, RecordType.ABORT_REQUEST, requestId, 0, 0);
        return out.flip();
    }

    /**
     * GET_VALUES on the null request id asking for {@code names} (flipped, ready to write); the
     * answer is read with {@link GetValuesResultParser}.
     *
     * @throws FcgiException if a name is not a byte string or the names exceed one record
     */
    public static ByteBuffer getValues(Collection<String> names) throws FcgiException {
        Map<String, String> asked = new LinkedHashMap<>();
        for (String name : names) {
            asked.put(name, "");
        }
        return ManagementRecords.record(RecordType.GET_VALUES, asked);
    }
}
