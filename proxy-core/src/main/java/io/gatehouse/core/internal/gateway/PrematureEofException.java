package io.gatehouse.core.internal.gateway;

import java.io.IOException;

/** The backend closed the connection before its response was complete. */
final class PrematureEofException extends IOException {

    PrematureEofException(String message) {
        super(message);
    }
}
