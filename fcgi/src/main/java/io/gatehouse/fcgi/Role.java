package io.gatehouse.fcgi;

/**
 * The role a web server asks of a FastCGI application in BEGIN_REQUEST.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum Role {
    RESPONDER(1),
    AUTHORIZER(2),
    FILTER(3);

    private final int code;

    Role(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The role with this wire code.
     *
     * @throws FcgiException if FastCGI 1.0 defines no role with this code
     */
    public static Role from(int code) throws FcgiException {
        for (Role role : values()) {
            if (role.code == code) {
                return role;
            }
        }
        throw new FcgiException("unknown FastCGI role code " + code + " (known codes are 1..3)");
    }
}
