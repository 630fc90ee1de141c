package io.gatehouse.core.internal.gateway;

import java.io.IOException;

/** A backend did not connect, answer or accept data within its configured timeout. */
final class BackendTimeoutException extends IOException {

    enum Phase { CONNECT, READ, WRITE }

    private final Phase phase;

    BackendTimeoutException(Phase phase, String message) {
        super(message);
        this.phase = phase;
    }

    Phase phase() {
        return phase;
    }
}
