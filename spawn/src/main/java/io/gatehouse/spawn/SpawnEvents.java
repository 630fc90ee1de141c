package io.gatehouse.spawn;

import java.util.function.Consumer;

/**
 * Receives every {@link SpawnEvent}. Called from the caller's thread during start and stop and
 * from the backend's supervisor thread otherwise, never while a lock of the spawner is held;
 * implementations must be thread-safe and should return quickly (a slow listener delays the
 * noticing of other children's exits) and must not call {@link SpawnedBackend#stop()} (hand that
 * to another thread). Exceptions thrown by a listener are ignored.
 */
@FunctionalInterface
public interface SpawnEvents {

    void onEvent(SpawnEvent event);

    /** A listener that drops everything. */
    static SpawnEvents none() {
        return event -> {
        };
    }

    /** A listener that hands each event's log line to {@code sink}. */
    static SpawnEvents lines(Consumer<String> sink) {
        return event -> sink.accept(event.toString());
    }
}
