package io.gatehouse.fcgi;

/**
 * The protocol-level outcome an application reports in END_REQUEST.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum ProtocolStatus {
    REQUEST_COMPLETE(0),
    CANT_MPX_CONN(1),
    OVERLOADED(2),
    UNKNOWN_ROLE(3);

    private final int code;

    ProtocolStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The status with this wire code.
     *
     * @throws FcgiException if FastCGI 1.0 defines no protocol status with this code
     */
    public static ProtocolStatus from(int code) throws FcgiException {
        for (ProtocolStatus status : values()) {
            if (status.code == code) {
                return status;
            }
        }
        throw new FcgiException("unknown FastCGI protocol status " + code + " (known values are 0..3)");
    }
}
