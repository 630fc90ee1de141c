package io.gatehouse.core.internal.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many HTTP/2 requests all connections together may hold at once, running or waiting for a
 * slot: {@code server.max-connections}, the number of HTTP/1.1 requests the server holds at most.
 * Each request holds its head in memory; per connection 8 run and 100 may wait, so without a
 * total 80 connections of 108 requests with 8 KB heads filled the 96 MiB heap and the JVM stopped.
 *
 * <p>One per server, shared by its listeners; thread-safe.
 */
public final class Http2RequestBudget {

    private final int limit;
    private final AtomicInteger held = new AtomicInteger();

    public Http2RequestBudget(int limit) {
        this.limit = limit;
    }

    int limit() {
        return limit;
    }

    /** Takes one request's place; false when all are taken. */
    boolean tryTake() {
        while (true) {
            int now = held.get();
            if (now >= limit) {
                return false;
            }
            if (held.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back {@code count} places. */
    void release(int count) {
        held.addAndGet(-count);
    }
}
