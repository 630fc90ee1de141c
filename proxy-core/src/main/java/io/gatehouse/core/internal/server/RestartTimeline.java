package io.gatehouse.core.internal.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * When the moments of one restart that its held requests wait for came, in milliseconds from the
 * request (the signal's config read included): the last old child reaped, the new children
 * spawned, the gate opened. The error log's last line of each restart carries them, so a
 * benchmark can tell the backends' exit from gatehouse's own steps.
 *
 * <p>Not thread-safe: one per restart, on the restart's thread.
 */
final class RestartTimeline {

    private final long requestedNanos;
    private final List<String> marks = new ArrayList<>();

    RestartTimeline(long requestedNanos) {
        this.requestedNanos = requestedNanos;
    }

    long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - requestedNanos);
    }

    /** Notes that {@code what} happened now. */
    void mark(String what) {
        marks.add(what + " at " + elapsedMillis() + " ms");
    }

    /** {@code restart took 480 ms (old children reaped at 455 ms, ...)}. */
    String describe() {
        return "restart took " + elapsedMillis() + " ms" + (marks.isEmpty() ? "" : " (" + String.join(", ", marks) + ")");
    }
}
