package io.gatehouse.spawn.internal;

import io.gatehouse.spawn.SpawnEvent;
import io.gatehouse.spawn.SpawnEvents;

/**
 * Delivers events of one backend to its {@link SpawnEvents} listener, shielding the spawner from
 * a listener that throws.
 *
 * <p>Thread-safe if the listener is.
 */
public final class EventSink {

    private final String label;
    private final SpawnEvents listener;

    public EventSink(String label, SpawnEvents listener) {
        this.label = label;
        this.listener = listener;
    }

    public void emit(SpawnEvent.Kind kind, int proc, long pid, String address, String detail) {
        try {
            listener.onEvent(new SpawnEvent(kind, label, proc, pid, address, detail));
        } catch (RuntimeException e) {
            // a broken log sink must not stop supervision
        }
    }
}
