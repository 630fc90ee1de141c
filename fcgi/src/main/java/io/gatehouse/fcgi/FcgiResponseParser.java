package io.gatehouse.fcgi;

import java.nio.ByteBuffer;

/**
 * Client side: incremental parser of what a FastCGI application sends back for one request.
 *
 * <p>STDOUT and STDERR content is delivered as it arrives, without waiting for the whole record
 * (records can be 64 KiB). END_REQUEST completes the response. Management records (request id 0)
 * and records of other types for this request are skipped and reported to
 * {@link Listener#onUnknownRecord}, as lighttpd logs and skips them. A record for another
 * request id is an error: this parser serves one request per connection at a time.
 *
 * <p>Not thread-safe: one instance per request, fed by one thread at a time. After it threw an
 * {@link FcgiException} the parser stays failed.
 */
public final class FcgiResponseParser {

    /** Receives the parts of a response. Methods run on the thread that calls {@link #parse}. */
    public interface Listener {
        /** A piece of STDOUT content: a view valid only during the call; may be part of a record. */
        default void onStdout(ByteBuffer content) {
        }

        /** A piece of STDERR content: a view valid only during the call; may be part of a record. */
        default void onStderr(ByteBuffer content) {
        }

        /** END_REQUEST arrived: the response is complete. */
        default void onEndRequest(long appStatus, ProtocolStatus status) {
        }

        /** A record that was skipped (e.g. GET_VALUES_RESULT, unknown type codes). */
        default void onUnknownRecord(int type, int requestId) {
        }
    }

    private enum Mode { STDOUT, STDERR, END_REQUEST, SKIP }

    private final int requestId;
    private final Listener listener;
    private final RecordFramer framer = new RecordFramer();
    private final ByteBuffer endRequestBody = ByteBuffer.allocate(Fcgi.END_REQUEST_BODY_LENGTH);
    private Mode mode = Mode.SKIP;
    private boolean complete;
    private final FailureLatch latch = new FailureLatch(this::parseRecords);

    /**
     * @param requestId the id the request was sent with, 1..65535
     * @param listener  receives the response parts
     */
    public FcgiResponseParser(int requestId, Listener listener) {
        Fcgi.checkRequestId(requestId, false);
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        this.requestId = requestId;
        this.listener = listener;
    }

    /**
     * Consumes as much of {@code in} as possible (advancing its position), delivering STDOUT/STDERR
     * content as it arrives. Returns true once END_REQUEST was parsed; the rest of {@code in} is
     * then left unread.
     *
     * @throws FcgiException on a bad version, a record for another request id, an END_REQUEST with a
     *                       wrong body length or an unknown protocol status
     */
    public boolean parse(ByteBuffer in) throws FcgiException {
        return latch.parse(in);
    }

    /** True once END_REQUEST was parsed. */
    public boolean isComplete() {
        return complete;
    }

    private boolean parseRecords(ByteBuffer in) throws FcgiException {
        while (!complete) {
            switch (framer.next(in)) {
                case NEED_INPUT -> {
                    return false;
                }
                case HEADER -> mode = modeFor(framer.typeCode(), framer.requestId(), framer.contentLength());
                case CONTENT -> deliver(framer.content());
                case RECORD_END -> {
                    if (mode == Mode.END_REQUEST) {
                        endRequest();
                    }
                }
                default -> throw new IllegalStateException("unhandled framer event");
            }
        }
        return true;
    }

    private Mode modeFor(int typeCode, int recordRequestId, int contentLength) throws FcgiException {
        if (recordRequestId == Fcgi.NULL_REQUEST_ID) {
            listener.onUnknownRecord(typeCode, recordRequestId);
            return Mode.SKIP;
        }
        if (recordRequestId != requestId) {
            throw new FcgiException(RecordType.describe(typeCode) + " record for request id " + recordRequestId
                    + ", expected request id " + requestId);
        }
        RecordType type = RecordType.lookup(typeCode);
        if (type == RecordType.STDOUT) {
            return Mode.STDOUT;
        }
        if (type == RecordType.STDERR) {
            return Mode.STDERR;
        }
        if (type == RecordType.END_REQUEST) {
            if (contentLength != Fcgi.END_REQUEST_BODY_LENGTH) {
                throw new FcgiException("END_REQUEST contentLength " + contentLength + ", expected "
                        + Fcgi.END_REQUEST_BODY_LENGTH + " (request id " + requestId + ")");
            }
            endRequestBody.clear();
            return Mode.END_REQUEST;
        }
        listener.onUnknownRecord(typeCode, recordRequestId);
        return Mode.SKIP;
    }

    private void deliver(ByteBuffer content) {
        switch (mode) {
            case STDOUT -> listener.onStdout(content);
            case STDERR -> listener.onStderr(content);
            case END_REQUEST -> endRequestBody.put(content);
            case SKIP -> {
                // skipped records' content is dropped
            }
            default -> throw new IllegalStateException("unhandled mode " + mode);
        }
    }

    private void endRequest() throws FcgiException {
        endRequestBody.flip();
        long appStatus = endRequestBody.getInt() & 0xFFFF_FFFFL;
        int statusCode = endRequestBody.get() & 0xFF;
        ProtocolStatus status;
        try {
            status = ProtocolStatus.from(statusCode);
        } catch (FcgiException e) {
            throw new FcgiException("END_REQUEST for request id " + requestId + ": " + e.getMessage(), e);
        }
        complete = true;
        listener.onEndRequest(appStatus, status);
    }
}
