package io.gatehouse.core.internal.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.gatehouse.core.internal.log.ErrorLog;

/**
 * Generations replaced by an overlap restart: each drains its requests in flight (up to the
 * drain timeout, then aborts the rest), stops its backends and is forgotten, on a thread of its
 * own, while the next generation already serves.
 *
 * <p>Thread-safe.
 */
public final class RetiringGenerations {

    /** A retiring thread ends after its drain timeout plus its backends' kill-timeout; this caps a stop's wait. */
    private static final Duration MAX_JOIN = Duration.ofMinutes(2);

    private final ErrorLog errorLog;
    private final Map<Generation, Thread> retiring = new ConcurrentHashMap<>();

    public RetiringGenerations(ErrorLog errorLog) {
        this.errorLog = errorLog;
    }

    /** Closes {@code old} (the next generation must be installed already) and retires it in the background. */
    public void retire(Generation old, Duration drainTimeout) {
        old.inFlight().close();
        // At once, not after the drain: a php-fpm worker serves one connection until it closes, so
        // an idle kept connection of the old generation holds a worker that the next generation's
        // new connections wait for. The connections its requests in flight hold serve the requests
        // still queued for them, then close (KeptConnections).
        old.closeIdleConnections();
        Thread thread = new Thread(() -> {
            try {
                long started = System.nanoTime();
                int waiting = old.inFlight().count();
                boolean drained = awaitDrained(old, drainTimeout);
                int aborted = drained ? 0 : old.inFlight().abortAll();
                long drainMillis = elapsedMillis(started);
                BackendProcesses.StopReportSummary stop = old.processes().stop();
                errorLog.info("restart", "generation " + old.number() + " retired in the background: " + waiting
                        + " requests in flight drained in " + drainMillis + " ms"
                        + (aborted > 0 ? ", " + aborted + " aborted at the " + drainTimeout.toSeconds() + " s limit" : "")
                        + "; " + stop.backends() + " backends stopped" + (stop.verified() ? "" : " (NOT verified)")
                        + " in " + (elapsedMillis(started) - drainMillis) + " ms");
            } finally {
                retiring.remove(old);
            }
        }, "gatehouse-retire-" + old.number());
        thread.setDaemon(true);
        retiring.put(old, thread);
        thread.start();
    }

    private static boolean awaitDrained(Generation old, Duration timeout) {
        try {
            return old.inFlight().awaitDrained(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Aborts every request of every retiring generation, so they stop their backends at once. */
    public void abortAll() {
        for (Generation g : retiring.keySet()) {
            g.inFlight().abortAll();
        }
    }

    /** Waits until every retiring generation has stopped its backends. */
    public void awaitAll() {
        long deadline = System.nanoTime() + MAX_JOIN.toNanos();
        for (Thread thread : retiring.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!retiring.isEmpty()) {
            errorLog.error("restart", "generations " + retiring.keySet().stream().map(Generation::number).toList()
                    + " still retiring after " + MAX_JOIN.toSeconds() + " s");
        }
    }

    public int size() {
        return retiring.size();
    }

    static long elapsedMillis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
