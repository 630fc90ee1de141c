package io.gatehouse.fcgi;

/**
 * FastCGI 1.0 wire constants and the limits this codec enforces.
 *
 * <p>A record on the wire:
 * <pre>
 *  0        1        2        3        4        5        6        7
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * |version |  type  |   requestId     |  contentLength  |padding |reserved|
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * | contentLength bytes of content ... | paddingLength bytes, ignored ...  |
 * </pre>
 * All multi-byte integers are big-endian.
 *
 * <p>Constants only; safe to share between threads.
 */
public final class Fcgi {

    /** The only protocol version defined (FastCGI 1.0). */
    public static final int VERSION = 1;

    /** Every record starts with a fixed 8-byte header. */
    public static final int HEADER_LENGTH = 8;

    /** contentLength is an unsigned 16-bit field. */
    public static final int MAX_CONTENT_LENGTH = 65535;

    /** paddingLength is an unsigned 8-bit field. */
    public static final int MAX_PADDING_LENGTH = 255;

    /** requestId is an unsigned 16-bit field. */
    public static final int MAX_REQUEST_ID = 65535;

    /** Management records (GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE) travel on request id 0. */
    public static final int NULL_REQUEST_ID = 0;

    /** BEGIN_REQUEST flag: keep the connection open after END_REQUEST. */
    public static final int FLAG_KEEP_CONN = 1;

    /** Padding brings a record to a multiple of 8 bytes, the alignment the specification recommends. */
    public static final int RECORD_ALIGNMENT = 8;

    /** BEGIN_REQUEST body: role u16, flags u8, 5 reserved bytes. */
    public static final int BEGIN_REQUEST_BODY_LENGTH = 8;

    /** END_REQUEST body: appStatus u32, protocolStatus u8, 3 reserved bytes. */
    public static final int END_REQUEST_BODY_LENGTH = 8;

    /** UNKNOWN_TYPE body: the unknown type u8, 7 reserved bytes. */
    public static final int UNKNOWN_TYPE_BODY_LENGTH = 8;

    /** Bounds the memory one request's CGI environment takes on either side; real ones are a few KiB. */
    public static final int MAX_PARAMS_LENGTH = 1024 * 1024;

    /** GET_VALUES name: how many transport connections the application accepts at once. */
    public static final String MAX_CONNS = "FCGI_MAX_CONNS";

    /** GET_VALUES name: how many requests the application serves at once. */
    public static final String MAX_REQS = "FCGI_MAX_REQS";

    /** GET_VALUES name: "1" if the application multiplexes requests on one connection, else "0". */
    public static final String MPXS_CONNS = "FCGI_MPXS_CONNS";

    private Fcgi() {
    }

    /** Rejects a request id that is neither the null id nor a valid application request id. */
    static void checkRequestId(int requestId, boolean nullAllowed) {
        int lowest = nullAllowed ? NULL_REQUEST_ID : 1;
        if (requestId < lowest || requestId > MAX_REQUEST_ID) {
            throw new IllegalArgumentException(
                    "requestId " + requestId + " is outside " + lowest + ".." + MAX_REQUEST_ID);
        }
    }

    /** Padding that brings {@code contentLength} up to the next multiple of {@link #RECORD_ALIGNMENT}. */
    static int alignmentPadding(int contentLength) {
        return (RECORD_ALIGNMENT - (contentLength % RECORD_ALIGNMENT)) % RECORD_ALIGNMENT;
    }
}
