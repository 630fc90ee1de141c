package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Client side: incremental parser of the answer to GET_VALUES, which is GET_VALUES_RESULT, or
 * UNKNOWN_TYPE from an application that does not implement GET_VALUES.
 *
 * <p>Not thread-safe: one instance per query, fed by one thread at a time. After it threw an
 * {@link FcgiException} the parser stays failed.
 */
public final class GetValuesResultParser {

    private final RecordFramer framer = new RecordFramer();
    private final ByteAccumulator body = new ByteAccumulator("management record content", Fcgi.MAX_CONTENT_LENGTH);
    private RecordType current;
    private Map<String, String> values;
    private int unknownType = -1;
    private final FailureLatch latch = new FailureLatch(this::parseRecords);

    /**
     * Consumes {@code in} up to the end of the answer (advancing its position) and returns true once
     * it was parsed; the rest of {@code in} is then left unread.
     *
     * @throws FcgiException on a bad version, a record other than the two possible answers, or a
     *                       malformed body
     */
    public boolean parse(ByteBuffer in) throws FcgiException {
        return latch.parse(in);
    }

    /** True once the answer was parsed. */
    public boolean isComplete() {
        return values != null;
    }

    /** The values in wire order; empty if the application answered UNKNOWN_TYPE. */
    public Map<String, String> values() {
        if (values == null) {
            throw new IllegalStateException("the answer has not been parsed yet");
        }
        return values;
    }

    /** The type code an UNKNOWN_TYPE answer named, or -1 if the answer was GET_VALUES_RESULT. */
    public int unknownType() {
        return unknownType;
    }

    private boolean parseRecords(ByteBuffer in) throws FcgiException {
        while (values == null) {
            switch (framer.next(in)) {
                case NEED_INPUT -> {
                    return false;
                }
                case HEADER -> startRecord();
                case CONTENT -> body.append(framer.content(), framer.requestId());
                case RECORD_END -> endRecord();
                default -> throw new IllegalStateException("unhandled framer event");
            }
        }
        return true;
    }

    private void startRecord() throws FcgiException {
        int typeCode = framer.typeCode();
        current = RecordType.lookup(typeCode);
        boolean answer = current == RecordType.GET_VALUES_RESULT || current == RecordType.UNKNOWN_TYPE;
        if (!answer || framer.requestId() != Fcgi.NULL_REQUEST_ID) {
            throw new FcgiException(RecordType.describe(typeCode) + " record on request id " + framer.requestId()
                    + " while waiting for GET_VALUES_RESULT on request id " + Fcgi.NULL_REQUEST_ID);
        }
        if (current == RecordType.UNKNOWN_TYPE && framer.contentLength() != Fcgi.UNKNOWN_TYPE_BODY_LENGTH) {
            throw new FcgiException("UNKNOWN_TYPE contentLength " + framer.contentLength() + ", expected "
                    + Fcgi.UNKNOWN_TYPE_BODY_LENGTH);
        }
        body.reset();
    }

    private void endRecord() throws FcgiException {
        if (current == RecordType.UNKNOWN_TYPE) {
            unknownType = body.view().get() & 0xFF;
            values = Map.of();
            return;
        }
        try {
            values = NameValuePairs.decode(body.view());
        } catch (FcgiException e) {
            throw new FcgiException("GET_VALUES_RESULT: " + e.getMessage(), e);
        }
    }
}
