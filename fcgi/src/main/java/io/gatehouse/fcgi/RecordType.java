package io.gatehouse.fcgi;

/**
 * FastCGI 1.0 record types with their wire codes.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum RecordType {
    BEGIN_REQUEST(1),
    ABORT_REQUEST(2),
    END_REQUEST(3),
    PARAMS(4),
    STDIN(5),
    STDOUT(6),
    STDERR(7),
    DATA(8),
    GET_VALUES(9),
    GET_VALUES_RESULT(10),
    UNKNOWN_TYPE(11);

    private static final RecordType[] BY_CODE = new RecordType[12];

    static {
        for (RecordType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The type with this wire code.
     *
     * @throws FcgiException if no FastCGI 1.0 record type has this code
     */
    public static RecordType from(int code) throws FcgiException {
        RecordType type = lookup(code);
        if (type == null) {
            throw new FcgiException("unknown FastCGI record type code " + code + " (known codes are 1..11)");
        }
        return type;
    }

    /** The type with this code, or null: parsers that skip unknown types use this instead of {@link #from}. */
    static RecordType lookup(int code) {
        return code >= 1 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** A name for messages that also works for codes this enum does not know. */
    static String describe(int code) {
        RecordType type = lookup(code);
        return type != null ? type.name() : "type " + code;
    }
}
