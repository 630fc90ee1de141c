package io.gatehouse.core.internal.gateway;

import java.io.IOException;

/** Writing to the HTTP client failed: the client went away, not the backend. */
final class ClientGoneException extends IOException {

    ClientGoneException(IOException cause) {
        super(cause.getMessage(), cause);
    }
}
