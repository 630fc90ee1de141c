package io.gatehouse.fcgi;

import java.io.IOException;

/**
 * The one exception type of the FastCGI codec: malformed or unexpected input from the peer, or a
 * request that cannot be encoded (a limit exceeded, a parameter that is not a byte string). The
 * message names the field, the value seen and what was expected.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class FcgiException extends IOException {

    public FcgiException(String message) {
        super(message);
    }

    public FcgiException(String message, Throwable cause) {
        super(message, cause);
    }
}
