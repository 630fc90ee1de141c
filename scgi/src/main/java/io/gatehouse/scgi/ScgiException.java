package io.gatehouse.scgi;

import java.io.IOException;

/**
 * The one failure type of the SCGI and uwsgi codecs: an environment that cannot be encoded, or a
 * request header that breaks the protocol or one of its limits. The message names the field, the
 * offending value and the limit or the expected value.
 *
 * <p>Immutable, so safe to share between threads.
 */
public final class ScgiException extends IOException {

    private static final long serialVersionUID = 1L;

    public ScgiException(String message) {
        super(message);
    }

    public ScgiException(String message, Throwable cause) {
        super(message, cause);
    }
}
