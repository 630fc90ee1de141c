package io.gatehouse.core.internal.gateway;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The FastCGI connections of one host that ended a response cleanly with FCGI_KEEP_CONN set and
 * wait for the next request ({@code "keep-alive" => "enable"}). The most recently parked
 * connection is taken first, so under a steady load the same few stay warm and the rest expire.
 * An idle connection is not load: least-connection balancing counts requests, not sockets.
 *
 * <p>Idle connections are closed by the {@link Watchdog} after {@link #IDLE_TIMEOUT}, and all of
 * them by {@link #close()} when the generation owning the host stops; connections offered after
 * that are closed at once, so none outlives its generation.
 *
 * <p>Thread-safe.
 */
final class IdleConnections {

    /**
     * Idle connections kept per host: more than the gateway threads that could park one at a
     * time on two cores; past this, a finished connection is closed instead.
     */
    static final int MAX_IDLE = 64;

    /** How long a parked connection waits: php-fpm keeps idle connections as long as we like. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(4);

    private final ConcurrentLinkedDeque<BackendConnection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    private volatile boolean closed;

    /** An idle connection claimed for the caller's request, or null when none is waiting. */
    BackendConnection take() {
        BackendConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            size.decrementAndGet();
            if (connection.claim()) {
                return connection;
            }
            // The watchdog expired it between the poll and the claim: it is closed already.
        }
        return null;
    }

    /** Parks {@code connection} for the next request, or closes it when full or closed. */
    void offer(BackendConnection connection) {
        if (closed) {
            connection.close();
            return;
        }
        if (size.incrementAndGet() > MAX_IDLE) {
            size.decrementAndGet();
            connection.close();
            return;
        }
        connection.park(this, IDLE_TIMEOUT);
        idle.offerFirst(connection);
        if (closed) {
            // close() ran between the check and the offer: do not leave this one behind.
            close();
        }
    }

    /** Called by an idle connection the watchdog closed. */
    void expired(BackendConnection connection) {
        if (idle.remove(connection)) {
            size.decrementAndGet();
        }
    }

    int size() {
        return size.get();
    }

    /** Closes every idle connection; connections offered later are closed at once. Idempotent. */
    void close() {
        closed = true;
        BackendConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            size.decrementAndGet();
            if (connection.claim()) {
                connection.close();
            }
        }
    }
}
