package io.gatehouse.core.internal.cgi;

import java.io.IOException;

/** The request cannot be passed to a backend as it is; answered with {@link #status()}. */
public final class BadRequestException extends IOException {

    private final int status;

    public BadRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
