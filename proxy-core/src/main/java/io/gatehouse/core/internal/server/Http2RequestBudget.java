package io.gatehouse.core.internal.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * How many HTTP/2 requests all connections together may hold at once: {@code server.max-connections},
 * the number of HTTP/1.1 requests the server holds at most. Each request holds its head in memory;
 * per connection 8 run and 100 may wait, so without a total 80 connections of 108 requests with
 * 8 KB heads filled the 96 MiB heap and the JVM stopped.
 *
 * <p>Shared fairly: requests wait only in what is left once every open HTTP/2 connection has room
 * for its 8 running ones, so that no connection can wait its way into the whole budget and leave
 * the others nothing to run (one connection that gave no flow-control window held 40 requests of a
 * budget of 40, and every other client's streams were reset). What waited while fewer connections
 * were open stays, so at most twice the limit is held.
 *
 * <p>One per server, shared by its listeners; thread-safe.
 */
public final class Http2RequestBudget {

    private final int limit;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();

    public Http2RequestBudget(int limit) {
        this.limit = limit;
    }

    int limit() {
        return limit;
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    /** Takes a running request's place; false when all are taken. */
    boolean tryRun() {
        return tryTake(running, () -> limit);
    }

    /** Takes a waiting request's place; false when what is left is the open connections' room to run. */
    boolean tryWait() {
        return tryTake(waiting, () -> limit - Http2RequestSlots.MAX_STREAMS * connections.get());
    }

    /** A waiting request starts running in the place a running one left. */
    void waitingRuns() {
        waiting.decrementAndGet();
    }

    void release(int runningCount, int waitingCount) {
        running.addAndGet(-runningCount);
        waiting.addAndGet(-waitingCount);
    }

    private static boolean tryTake(AtomicInteger count, IntSupplier bound) {
        while (true) {
            int now = count.get();
            if (now >= bound.getAsInt()) {
                return false;
            }
            if (count.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }
}
