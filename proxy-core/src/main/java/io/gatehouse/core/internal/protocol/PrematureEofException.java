package io.gatehouse.core.internal.protocol;

import java.io.IOException;

/** The backend closed the connection before its response was complete. */
public final class PrematureEofException extends IOException {

    public PrematureEofException(String message) {
        super(message);
    }
}
