package io.gatehouse.core.internal.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatehouse.core.internal.gateway.RequestTicket;
import io.undertow.server.HttpServerExchange;

/**
 * The requests one generation has admitted and not yet completed, counted so that a restart can
 * wait for them and then stop the generation's backends.
 *
 * <p>Why a CAS that can be refused: a request that read the current generation just before a
 * restart closed it must not enter it afterwards, or it would use backends being stopped. With
 * {@link #tryEnter} refused once {@link #close()} ran, that request sees the refusal and reads
 * the current generation (or the gate) again; a plain counter incremented after the read would
 * let it slip in after the drain had seen zero.
 *
 * <p>Thread-safe. {@link #tryEnter} must run on the exchange's I/O thread (it adds an exchange
 * completion listener, which Undertow does not synchronize).
 */
public final class InFlightRequests {

    /** The sign bit of {@link #state} marks the generation closed; the rest is the count. */
    private static final int CLOSED_BIT = Integer.MIN_VALUE;

    private final AtomicInteger state = new AtomicInteger();
    private final Map<HttpServerExchange, RequestTicket> tickets = new ConcurrentHashMap<>();
    private final Object drained = new Object();
    private volatile boolean abandoned;

    /**
     * Counts {@code exchange} in, unless the generation is closed. The exchange leaves by itself
     * when it completes (including when its connection closes).
     *
     * @return the ticket of the admitted request, or null when closed
     */
    public RequestTicket tryEnter(HttpServerExchange exchange) {
        while (true) {
            int current = state.get();
            if ((current & CLOSED_BIT) != 0) {
                return null;
            }
            if (state.compareAndSet(current, current + 1)) {
                break;
            }
        }
        RequestTicket ticket = new RequestTicket(exchange);
        tickets.put(exchange, ticket);
        AtomicBoolean left = new AtomicBoolean();
        exchange.addExchangeCompleteListener((ex, next) -> {
            try {
                leaveOnce(ex, left);
            } finally {
                next.proceed();
            }
        });
        if (exchange.isComplete()) {
            // Completed before the listener was added: it would never run.
            leaveOnce(exchange, left);
        }
        return ticket;
    }

    private void leaveOnce(HttpServerExchange exchange, AtomicBoolean left) {
        if (!left.compareAndSet(false, true)) {
            return;
        }
        tickets.remove(exchange);
        int after = state.decrementAndGet();
        if (after == CLOSED_BIT) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Refuses every later {@link #tryEnter}. Idempotent. */
    public void close() {
        if (state.updateAndGet(s -> s | CLOSED_BIT) == CLOSED_BIT) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** True once {@link #abortAll()} ran. */
    public boolean isAbandoned() {
        return abandoned;
    }

    public boolean isClosed() {
        return (state.get() & CLOSED_BIT) != 0;
    }

    /** Requests admitted and not yet completed. */
    public int count() {
        return state.get() & ~CLOSED_BIT;
    }

    /**
     * Waits until the generation is closed and every admitted request has completed.
     *
     * @param timeout {@link Duration#ZERO} waits without limit
     * @return true when drained, false when the time ran out first or {@link #abortAll()} ran
     */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        synchronized (drained) {
            while (state.get() != CLOSED_BIT) {
                if (abandoned) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(drained, left);
            }
            return true;
        }
    }

    /**
     * Aborts every request still in flight: its client connection and its backend connection are
     * closed, and a running {@link #awaitDrained} returns at once.
     *
     * @return how many were aborted
     */
    public int abortAll() {
        abandoned = true;
        synchronized (drained) {
            drained.notifyAll();
        }
        List<RequestTicket> remaining = new ArrayList<>(tickets.values());
        for (RequestTicket ticket : remaining) {
            ticket.abort();
        }
        return remaining.size();
    }
}
