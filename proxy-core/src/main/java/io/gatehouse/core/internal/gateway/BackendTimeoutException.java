package io.gatehouse.core.internal.gateway;

import java.io.IOException;

/** A backend did not connect, answer or accept data within its configured timeout. */
final class BackendTimeoutException extends IOException {

    BackendTimeoutException(String message) {
        super(message);
    }
}
