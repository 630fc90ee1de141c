package io.gatehouse.fcgi;

import java.nio.ByteBuffer;

/**
 * BEGIN_REQUEST + PARAMS + empty PARAMS, written pair by pair straight into the bytes that go on
 * the wire: a web server can hand over each CGI variable as it computes it, with no map of them
 * and no copies of the strings in between. {@link FcgiRequestGenerator#beginRequest} is this for
 * a map of params.
 *
 * <p>All params go in one PARAMS record when they fit in 65535 bytes (some responders answer on
 * the first non-empty PARAMS record); otherwise they are split across as many records as needed,
 * and a pair may span records. No padding is written.
 *
 * <p>Not thread-safe: one writer per request, used by one thread.
 */
public final class BeginRequestWriter {

    private static final int PARAMS_HEADER_AT = Fcgi.HEADER_LENGTH + Fcgi.BEGIN_REQUEST_BODY_LENGTH;
    /** Where the first pair goes: room is left before it for BEGIN_REQUEST and one PARAMS header. */
    private static final int PARAMS_AT = PARAMS_HEADER_AT + Fcgi.HEADER_LENGTH;
    /** Enough for the variables of a typical request, so most never grow the array. */
    private static final int INITIAL_CAPACITY = 1024;

    private final int requestId;
    private final boolean keepConn;
    private byte[] bytes = new byte[INITIAL_CAPACITY];
    private int end = PARAMS_AT;

    /**
     * @param requestId 1..65535
     * @param keepConn  set FCGI_KEEP_CONN: the application keeps the connection after the response
     */
    public BeginRequestWriter(int requestId, boolean keepConn) {
        Fcgi.checkRequestId(requestId, false);
        this.requestId = requestId;
        this.keepConn = keepConn;
    }

    /**
     * Adds one pair after the ones added before.
     *
     * @throws FcgiException if the name or value is null or holds a char above 0xFF, or the params
     *                       would exceed {@link Fcgi#MAX_PARAMS_LENGTH}; the writer is as before
     */
    public BeginRequestWriter param(String name, String value) throws FcgiException {
        if (name == null || value == null) {
            throw new FcgiException("parameter " + (name == null ? "with a null name" : "\"" + name + "\"")
                    + " has a null " + (name == null ? "name" : "value"));
        }
        int pairLength = NameValuePairs.encodedLength(name, value);
        long total = (long) end - PARAMS_AT + pairLength;
        if (total > Fcgi.MAX_PARAMS_LENGTH) {
            throw new FcgiException("params length exceeds limit " + Fcgi.MAX_PARAMS_LENGTH
                    + " (Fcgi.MAX_PARAMS_LENGTH) at parameter \"" + name + "\": " + total + " bytes so far");
        }
        ensureRoom(pairLength);
        int after = NameValuePairs.encodeInto(bytes, end, name, value);
        if (after < 0) {
            throw new FcgiException(NameValuePairs.latin1Problem(name, value));
        }
        end = after;
        return this;
    }

    /** The records, ready to write (position 0, limit at their end). Call once, after the last param. */
    public ByteBuffer finish() {
        int paramsLength = end - PARAMS_AT;
        if (paramsLength > Fcgi.MAX_CONTENT_LENGTH) {
            return split(paramsLength);
        }
        ensureRoom(Fcgi.HEADER_LENGTH);
        ByteBuffer out = ByteBuffer.wrap(bytes);
        writeBeginRequest(out);
        if (paramsLength > 0) {
            RecordHeader.write(out, RecordType.PARAMS, requestId, paramsLength, 0);
            out.position(end);
        }
        RecordHeader.write(out, RecordType.PARAMS, requestId, 0, 0);
        return out.flip();
    }

    /** The params in records of at most 65535 bytes each: a fresh array, the headers between the pieces. */
    private ByteBuffer split(int paramsLength) {
        int records = (paramsLength + Fcgi.MAX_CONTENT_LENGTH - 1) / Fcgi.MAX_CONTENT_LENGTH;
        ByteBuffer out = ByteBuffer.allocate(
                PARAMS_HEADER_AT + records * Fcgi.HEADER_LENGTH + paramsLength + Fcgi.HEADER_LENGTH);
        writeBeginRequest(out);
        for (int at = PARAMS_AT; at < end; at += Fcgi.MAX_CONTENT_LENGTH) {
            int chunk = Math.min(end - at, Fcgi.MAX_CONTENT_LENGTH);
            RecordHeader.write(out, RecordType.PARAMS, requestId, chunk, 0);
            out.put(bytes, at, chunk);
        }
        RecordHeader.write(out, RecordType.PARAMS, requestId, 0, 0);
        return out.flip();
    }

    private void writeBeginRequest(ByteBuffer out) {
        RecordHeader.write(out, RecordType.BEGIN_REQUEST, requestId, Fcgi.BEGIN_REQUEST_BODY_LENGTH, 0);
        out.putShort((short) Role.RESPONDER.code());
        out.put((byte) (keepConn ? Fcgi.FLAG_KEEP_CONN : 0));
        out.position(PARAMS_HEADER_AT); // five reserved bytes, zero in a new array
    }

    private void ensureRoom(int more) {
        if (bytes.length - end < more) {
            byte[] grown = new byte[Math.max(bytes.length * 2, end + more)];
            System.arraycopy(bytes, 0, grown, 0, end);
            bytes = grown;
        }
    }
}
