package io.gatehouse.conf;

import java.util.Objects;

/**
 * Something in the config that was accepted but ignored or is suspicious, such as an unknown
 * directive or a lighttpd module gatehouse does not implement. Warnings never stop a config from
 * loading.
 *
 * <p>Immutable; thread-safe.
 */
public record ConfigWarning(SourceLocation location, String message) {

    public ConfigWarning {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line:col: message}. */
    @Override
    public String toString() {
        return location + ": " + message;
    }
}
