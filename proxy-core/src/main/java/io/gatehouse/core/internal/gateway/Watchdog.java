package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Enforces connect, read and write timeouts on blocking backend connections.
 *
 * <p>JDK socket channels in blocking mode have no timeouts (and unix-domain channels expose no
 * {@code Socket} with {@code setSoTimeout}), so each {@link BackendConnection} publishes a
 * deadline before it blocks and one sweeper thread closes the channels whose deadline has passed.
 * The blocked call then fails, and the connection reports a timeout instead of an I/O error.
 * Publishing a deadline is one volatile write, which keeps the hot path cheap; the price is a
 * resolution of {@link #TICK_MILLIS}, fine for timeouts counted in seconds.
 *
 * <p>Thread-safe.
 */
public final class Watchdog implements Closeable {

    /** Sweep interval: timeouts are configured in whole seconds, so 50 ms is precise enough. */
    static final long TICK_MILLIS = 50;

    private final Set<BackendConnection> watched = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    private volatile boolean running = true;

    public Watchdog() {
        sweeper = new Thread(this::sweepLoop, "gatehouse-watchdog");
        sweeper.setDaemon(true);
        sweeper.start();
    }

    void watch(BackendConnection connection) {
        watched.add(connection);
    }

    void unwatch(BackendConnection connection) {
        watched.remove(connection);
    }

    private void sweepLoop() {
        while (running) {
            try {
                TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (BackendConnection connection : watched) {
                connection.expireIfDue(now);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        sweeper.interrupt();
        try {
            sweeper.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
