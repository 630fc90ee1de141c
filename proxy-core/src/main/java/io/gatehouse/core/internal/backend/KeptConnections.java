package io.gatehouse.core.internal.backend;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.xnio.XnioIoThread;

/**
 * The connections kept to one FastCGI host with {@code "keep-alive" => "enable"}. With
 * {@code max-connections} N, at most N are open at once, and a request that finds none idle waits
 * here, in order, for one to come free instead of opening an N+1th; without it (0), a request that
 * finds none idle opens one.
 *
 * <p>Why a limit: a php-fpm worker serves one connection at a time and reads a kept one until it
 * closes, so connections beyond the pool's workers would sit in its listen queue while the kept
 * ones are reused, for ever. With N at most the workers every connection has a worker, and the
 * queue that would form in the backend's backlog forms here. Without a limit, finished
 * connections are closed instead of kept while a new one may wait for a worker
 * ({@link BackendHost#newConnectionsWaiting()}). A request with a body goes on a new connection in
 * the slot of an idle one, which is closed, freeing its worker. At most {@link #MAX_IDLE} wait
 * idle, and as a last safety valve no connection carries more than {@link #MAX_REQUESTS} requests.
 *
 * <p>Idle connections close after {@link #IDLE_TIMEOUT}, checked by one timer while any are idle,
 * and all of them at {@link #close()}; connections released after that go to the requests still
 * queued, then close.
 *
 * <p>Thread-safe: one lock guards the queues and counts; connections and waiters are called
 * outside it.
 */
final class KeptConnections {

    /** As nginx's {@code keepalive_requests}: a connection is closed after this many requests. */
    static final int MAX_REQUESTS = 1000;

    /** How long a parked connection waits: php-fpm keeps idle connections as long as we like. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(4);

    /** Idle connections kept at most; past this, a finished connection is closed instead. */
    static final int MAX_IDLE = 64;

    private static final long SWEEP_MILLIS = 1000;

    /** A request waiting for a connection. Both calls may come from any thread. */
    interface Waiter {

        /** Carry the request on {@code connection}, an idle one. */
        void reuse(KeptConnection connection);

        /** Open a new connection for the request: a slot is reserved for it. */
        void connectNew();
    }

    private final BackendHost host;
    private final int limit;
    private final long idleTimeoutNanos;
    /** Most recently parked first: under a steady load the same few stay warm. */
    private final ArrayDeque<KeptConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    /** Connections open or being opened, idle ones included. */
    private int open;
    private boolean sweepScheduled;
    private boolean closed;

    /** @param limit the most connections open at once ({@code max-connections}); 0 for no limit */
    KeptConnections(BackendHost host, int limit, Duration idleTimeout) {
        this.host = host;
        this.limit = limit == 0 ? Integer.MAX_VALUE : limit;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /**
     * Gets {@code waiter} a connection: calls {@link Waiter#reuse} or {@link Waiter#connectNew}
     * before returning, or queues it and calls one of them when a connection comes free.
     */
    void acquire(Waiter waiter) {
        KeptConnection connection;
        synchronized (this) {
            connection = idle.pollFirst();
            if (connection == null) {
                if (open >= limit) {
                    waiting.addLast(waiter);
                    return;
                }
                open++;
            }
        }
        if (connection != null) {
            waiter.reuse(connection);
        } else {
            waiter.connectNew();
        }
    }

    /** {@code waiter} no longer wants a connection (its client left). True if it was still queued. */
    synchronized boolean cancel(Waiter waiter) {
        return waiting.remove(waiter);
    }

    /**
     * The request on {@code connection} ended. A reusable connection goes to the next waiter or is
     * parked; any other is closed and its slot passed to the next waiter.
     *
     * @param connection null when a new connection could not be opened: its slot is given back
     * @param thread     the calling I/O thread, which runs the idle timer if one is needed
     */
    void release(KeptConnection connection, boolean reusable, XnioIoThread thread) {
        Waiter next;
        boolean close = connection == null || !reusable || connection.requests() >= MAX_REQUESTS;
        boolean startSweep = false;
        synchronized (this) {
            // Checked under the lock that closeIdle() takes after counting a new connection: a
            // connection is either seen by closeIdle() or sees the count.
            close |= host.newConnectionsWaiting();
            next = waiting.pollFirst();
            // A closed pool (its generation retiring) still serves the requests queued for it on
            // the connections it has: were each closed at once, every one of them would open its
            // own, beside the next generation's, more connections than the backend has workers.
            close |= next == null && (closed || idle.size() >= MAX_IDLE);
            if (close) {
                if (next == null) {
                    open--;
                }
            } else if (next == null) {
                connection.parkedAt = System.nanoTime();
                idle.addFirst(connection);
                startSweep = !sweepScheduled;
                sweepScheduled = true;
            }
        }
        if (close && connection != null) {
            connection.close();
        }
        if (next != null) {
            if (close) {
                next.connectNew(); // the closed connection's slot
            } else {
                next.reuse(connection);
            }
        }
        if (startSweep) {
            scheduleSweep(thread);
        }
    }

    private void scheduleSweep(XnioIoThread thread) {
        thread.executeAfter(() -> sweep(thread), SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Closes the connections idle too long; runs again while any are idle. */
    private void sweep(XnioIoThread thread) {
        List<KeptConnection> expired = new ArrayList<>();
        boolean again;
        synchronized (this) {
            long now = System.nanoTime();
            KeptConnection oldest;
            while ((oldest = idle.peekLast()) != null && now - oldest.parkedAt >= idleTimeoutNanos) {
                expired.add(idle.pollLast());
                open--;
            }
            again = !idle.isEmpty() && !closed;
            sweepScheduled = again;
        }
        expired.forEach(KeptConnection::close);
        if (again) {
            scheduleSweep(thread);
        }
    }

    /** True with {@code max-connections}: requests wait for a slot rather than open more. */
    boolean limited() {
        return limit != Integer.MAX_VALUE;
    }

    synchronized int idleCount() {
        return idle.size();
    }

    /**
     * Counts a new connection of a pool without a limit until {@link #newConnectionAnswered()}, and
     * closes the idle connections, so that the workers they hold can accept it.
     */
    void newConnectionOpening() {
        host.newConnectionStarted();
        closeIdle();
    }

    /** The backend answered on a connection counted by {@link #newConnectionOpening()}: a worker has it. */
    void newConnectionAnswered() {
        host.newConnectionEnded();
    }

    /** Closes the idle connections. */
    private void closeIdle() {
        List<KeptConnection> idleNow;
        synchronized (this) {
            if (idle.isEmpty()) {
                return;
            }
            idleNow = new ArrayList<>(idle);
            open -= idle.size();
            idle.clear();
        }
        idleNow.forEach(KeptConnection::close);
    }

    /**
     * Closes the idle connections; connections released later are closed unless a request queued
     * before is waiting for one. Idempotent.
     */
    void close() {
        synchronized (this) {
            closed = true;
        }
        closeIdle();
    }
}
