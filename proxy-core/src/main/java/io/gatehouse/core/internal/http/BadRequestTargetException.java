package io.gatehouse.core.internal.http;

/** A request target gatehouse refuses (400); the message says why, for the error log. */
public final class BadRequestTargetException extends Exception {

    private static final long serialVersionUID = 1L;

    BadRequestTargetException(String reason) {
        super(reason, null, false, false);
    }
}
