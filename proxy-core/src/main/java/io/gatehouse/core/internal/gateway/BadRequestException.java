package io.gatehouse.core.internal.gateway;

import java.io.IOException;

/** The request cannot be passed to a backend as it is; answered with {@link #status()}. */
final class BadRequestException extends IOException {

    private final int status;

    BadRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
