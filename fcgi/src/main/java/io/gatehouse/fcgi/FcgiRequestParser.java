package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Server side: incremental parser of what a web server sends to a FastCGI application on one
 * connection.
 *
 * <p>Reports BEGIN_REQUEST, the decoded params once the empty PARAMS record closes the stream,
 * STDIN and DATA content as it arrives (without waiting for whole records), the ends of those
 * streams, ABORT_REQUEST and GET_VALUES. A record type code FastCGI 1.0 does not define is
 * skipped and reported (the application answers it with UNKNOWN_TYPE); a record type only an
 * application sends (STDOUT, END_REQUEST, ...) is an error.
 *
 * <p>The parser checks the framing, not the application's bookkeeping: which request is active,
 * whether a second one is accepted, and what a role means are the listener's decisions.
 *
 * <p>Not thread-safe: one instance per connection, fed by one thread at a time. After it threw an
 * {@link FcgiException} the parser stays failed.
 */
public final class FcgiRequestParser {

    /** Params streams open at once; bounds buffered params to this many times {@link Fcgi#MAX_PARAMS_LENGTH}. */
    public static final int MAX_OPEN_PARAMS_STREAMS = 8;

    /** Receives the parts of requests. Methods run on the thread that calls {@link #parse}. */
    public interface Listener {
        /**
         * BEGIN_REQUEST arrived.
         *
         * @param role the raw role code: compare with {@link Role#code()}; a code {@link Role} does
         *             not know is passed as it is so the application can answer UNKNOWN_ROLE
         */
        default void onBeginRequest(int requestId, int role, boolean keepConn) {
        }

        /** The params stream of the request ended; the map is in wire order and belongs to the listener. */
        default void onParams(int requestId, Map<String, String> params) {
        }

        /** A piece of STDIN content: a view valid only during the call; may be part of a record. */
        default void onStdin(int requestId, ByteBuffer content) {
        }

        /** The empty STDIN record arrived. */
        default void onEndOfStdin(int requestId) {
        }

        /** A piece of DATA content (filter role): a view valid only during the call. */
        default void onData(int requestId, ByteBuffer content) {
        }

        /** The empty DATA record arrived. */
        default void onEndOfData(int requestId) {
        }

        /** The web server aborts the request. */
        default void onAbortRequest(int requestId) {
        }

        /** GET_VALUES on the null request id, with the names asked for in wire order. */
        default void onGetValues(Set<String> names) {
        }

        /** A record with a type code FastCGI 1.0 does not define; it was skipped. */
        default void onUnknownRecord(int type, int requestId) {
        }
    }

    private enum Mode { BEGIN_REQUEST, ABORT_REQUEST, PARAMS, STDIN, DATA, GET_VALUES, SKIP }

    private final Listener listener;
    private final RecordFramer framer = new RecordFramer();
    private final Map<Integer, ByteAccumulator> openParams = new HashMap<>();
    private final ByteAccumulator recordBody = new ByteAccumulator("record content", Fcgi.MAX_CONTENT_LENGTH);
    private Mode mode = Mode.SKIP;
    /** The step returns false: a request stream has no end to report, the listener hears everything. */
    private final FailureLatch latch = new FailureLatch(in -> {
        parseRecords(in);
        return false;
    });

    public FcgiRequestParser(Listener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        this.listener = listener;
    }

    /**
     * Consumes all of {@code in} (advancing its position to its limit), reporting what it completes.
     *
     * @throws FcgiException on a bad version, a malformed or misplaced record, or params over the limit
     */
    public void parse(ByteBuffer in) throws FcgiException {
        latch.parse(in);
    }

    private void parseRecords(ByteBuffer in) throws FcgiException {
        while (true) {
            switch (framer.next(in)) {
                case NEED_INPUT -> {
                    return;
                }
                case HEADER -> mode = modeFor(framer.typeCode(), framer.requestId(), framer.contentLength());
                case CONTENT -> deliver(framer.content());
                case RECORD_END -> endRecord();
                default -> throw new IllegalStateException("unhandled framer event");
            }
        }
    }

    private Mode modeFor(int typeCode, int requestId, int contentLength) throws FcgiException {
        RecordType type = RecordType.lookup(typeCode);
        if (type == null) {
            listener.onUnknownRecord(typeCode, requestId);
            return Mode.SKIP;
        }
        switch (type) {
            case GET_VALUES -> {
                if (requestId != Fcgi.NULL_REQUEST_ID) {
                    throw new FcgiException("GET_VALUES on request id " + requestId
                            + ", expected the null request id " + Fcgi.NULL_REQUEST_ID);
                }
                recordBody.reset();
                return Mode.GET_VALUES;
            }
            case BEGIN_REQUEST, ABORT_REQUEST, PARAMS, STDIN, DATA -> {
                if (requestId == Fcgi.NULL_REQUEST_ID) {
                    throw new FcgiException(type + " on request id " + Fcgi.NULL_REQUEST_ID
                            + ", which is reserved for management records");
                }
                return streamModeFor(type, requestId, contentLength);
            }
            default -> throw new FcgiException("unexpected " + type + " record from the web server (request id "
                    + requestId + "): only an application sends it");
        }
    }

    private Mode streamModeFor(RecordType type, int requestId, int contentLength) throws FcgiException {
        switch (type) {
            case BEGIN_REQUEST -> {
                if (contentLength != Fcgi.BEGIN_REQUEST_BODY_LENGTH) {
                    throw new FcgiException("BEGIN_REQUEST contentLength " + contentLength + ", expected "
                            + Fcgi.BEGIN_REQUEST_BODY_LENGTH + " (request id " + requestId + ")");
                }
                if (openParams.containsKey(requestId)) {
                    throw new FcgiException("BEGIN_REQUEST for request id " + requestId
                            + " while its PARAMS stream is still open");
                }
                if (openParams.size() >= MAX_OPEN_PARAMS_STREAMS) {
                    throw new FcgiException("open PARAMS streams " + (openParams.size() + 1) + " exceed limit "
                            + MAX_OPEN_PARAMS_STREAMS + " (FcgiRequestParser.MAX_OPEN_PARAMS_STREAMS) at request id "
                            + requestId);
                }
                recordBody.reset();
                return Mode.BEGIN_REQUEST;
            }
            case PARAMS -> {
                ByteAccumulator params = openParams.get(requestId);
                if (params == null) {
                    throw new FcgiException("PARAMS for request id " + requestId
                            + " without BEGIN_REQUEST, or after its PARAMS stream ended");
                }
                params.checkRoomFor(contentLength, requestId);
                return Mode.PARAMS;
            }
            case STDIN, DATA -> {
                if (openParams.containsKey(requestId)) {
                    throw new FcgiException(type + " for request id " + requestId + " before its PARAMS stream ended");
                }
                return type == RecordType.STDIN ? Mode.STDIN : Mode.DATA;
            }
            default -> {
                return Mode.ABORT_REQUEST;
            }
        }
    }

    private void deliver(ByteBuffer content) throws FcgiException {
        int requestId = framer.requestId();
        switch (mode) {
            case STDIN -> listener.onStdin(requestId, content);
            case DATA -> listener.onData(requestId, content);
            case PARAMS -> openParams.get(requestId).append(content, requestId);
            case BEGIN_REQUEST, GET_VALUES -> recordBody.append(content, requestId);
            case ABORT_REQUEST, SKIP -> {
                // no content is defined for these; whatever came is dropped
            }
            default -> throw new IllegalStateException("unhandled mode " + mode);
        }
    }

    private void endRecord() throws FcgiException {
        int requestId = framer.requestId();
        boolean empty = framer.contentLength() == 0;
        switch (mode) {
            case BEGIN_REQUEST -> {
                ByteBuffer body = recordBody.view();
                int role = body.getShort() & 0xFFFF;
                boolean keepConn = (body.get() & Fcgi.FLAG_KEEP_CONN) != 0;
                openParams.put(requestId, new ByteAccumulator("PARAMS total length", Fcgi.MAX_PARAMS_LENGTH));
                listener.onBeginRequest(requestId, role, keepConn);
            }
            case PARAMS -> {
                if (empty) {
                    ByteAccumulator params = openParams.remove(requestId);
                    Map<String, String> decoded;
                    try {
                        decoded = NameValuePairs.decode(params.view());
                    } catch (FcgiException e) {
                        throw new FcgiException("PARAMS of request id " + requestId + ": " + e.getMessage(), e);
                    }
                    listener.onParams(requestId, decoded);
                }
            }
            case STDIN -> {
                if (empty) {
                    listener.onEndOfStdin(requestId);
                }
            }
            case DATA -> {
                if (empty) {
                    listener.onEndOfData(requestId);
                }
            }
            case ABORT_REQUEST -> {
                // an abort during the params stream ends it: no more PARAMS will come
                openParams.remove(requestId);
                listener.onAbortRequest(requestId);
            }
            case GET_VALUES -> {
                Map<String, String> asked;
                try {
                    asked = NameValuePairs.decode(recordBody.view());
                } catch (FcgiException e) {
                    throw new FcgiException("GET_VALUES: " + e.getMessage(), e);
                }
                listener.onGetValues(Collections.unmodifiableSet(asked.keySet()));
            }
            case SKIP -> {
                // reported when its header arrived
            }
            default -> throw new IllegalStateException("unhandled mode " + mode);
        }
    }
}
