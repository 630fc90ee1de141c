package io.gatehouse.core.internal.server;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.gatehouse.core.internal.gateway.ErrorPages;
import io.gatehouse.core.internal.gateway.RequestTicket;
import io.gatehouse.core.internal.log.ErrorLog;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;

/**
 * Admits each new request into the current {@link Generation}, or holds it while a restart has
 * the gate closed.
 *
 * <p>A held request occupies no thread: its exchange is parked (dispatched with no task to run)
 * and kept in a bounded queue; the listeners keep accepting and its connection stays open. When
 * the gate opens, each held exchange goes back to its own I/O thread and is admitted into the
 * generation that is current then. Beyond {@link #MAX_HELD} held requests, further ones are
 * answered 503 at once.
 *
 * <p>Admission is a retry loop against {@link GenerationHolder#current()}: a generation refuses
 * entry once closed, and whoever closes one first closes the gate (sequenced restart) or installs
 * the next generation (overlap restart), so a refused request finds either on its next turn.
 *
 * <p>Thread-safe. {@link #admit} runs on the exchange's I/O thread.
 */
public final class GenerationGate {

    /**
     * Requests held during one restart before further ones get 503: each holds a connection and
     * its parsed request head (a few KiB), so this bounds the memory a restart can pin.
     */
    public static final int MAX_HELD = 10_000;

    /** A refused entry means the generation changed; more turns than this means something is wrong. */
    private static final int MAX_ADMIT_TURNS = 100;

    private final GenerationHolder generations;
    private final ErrorLog errorLog;
    private final Object lock = new Object();
    /** In the order they came; one whose exchange ends while held (its HTTP/2 stream reset) leaves. */
    private final LinkedHashSet<Held> held = new LinkedHashSet<>();
    private final AtomicLong refusedWhileClosed = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean stopping;

    private record Held(HttpServerExchange exchange, HttpHandler handler) {
    }

    public GenerationGate(GenerationHolder generations, ErrorLog errorLog) {
        this.generations = generations;
        this.errorLog = errorLog;
    }

    /**
     * Called by the root handler on the I/O thread: dispatches {@code exchange} to
     * {@code handler} again, on this I/O thread, once admitted, with its {@link Generation} and
     * {@link RequestTicket} attached.
     */
    public void admit(HttpServerExchange exchange, HttpHandler handler) {
        admit(exchange, handler, true);
    }

    /**
     * @param inCall true inside the root handler call, where a dispatch takes effect only after
     *               the handler returns; false on a later task on the I/O thread, where it runs now
     */
    private void admit(HttpServerExchange exchange, HttpHandler handler, boolean inCall) {
        if (exchange.isComplete()) {
            return; // its HTTP/2 stream was reset while it waited to be admitted: nothing to count in
        }
        for (int turn = 0; turn < MAX_ADMIT_TURNS; turn++) {
            if (stopping) {
                refuse(exchange);
                return;
            }
            if (closed) {
                if (inCall) {
                    // Park only after the root handler returned: until then Undertow still owns the call.
                    exchange.dispatch(SameThreadExecutor.INSTANCE, () -> admit(exchange, handler, false));
                    return;
                }
                if (hold(exchange, handler)) {
                    return;
                }
                continue;
            }
            Generation generation = generations.current();
            RequestTicket ticket = generation.inFlight().tryEnter(exchange);
            if (ticket != null) {
                exchange.putAttachment(Generation.KEY, generation);
                exchange.putAttachment(RequestTicket.KEY, ticket);
                // Back into the handler on this I/O thread, now admitted: it decides where the request runs.
                exchange.dispatch(SameThreadExecutor.INSTANCE, handler);
                return;
            }
        }
        errorLog.error("gate", "request for " + exchange.getRequestURI() + " found no open generation after "
                + MAX_ADMIT_TURNS + " turns; answered 503");
        ErrorPages.send(exchange, StatusCodes.SERVICE_UNAVAILABLE);
    }

    /** Queues a parked exchange; false when the gate opened meanwhile (admit it instead). */
    private boolean hold(HttpServerExchange exchange, HttpHandler handler) {
        synchronized (lock) {
            if (!closed) {
                return false;
            }
            if (held.size() < MAX_HELD) {
                Held h = new Held(exchange, handler);
                held.add(h);
                exchange.addExchangeCompleteListener((ex, next) -> {
                    synchronized (lock) {
                        held.remove(h);
                    }
                    next.proceed();
                });
                return true;
            }
        }
        if (refusedWhileClosed.getAndIncrement() == 0) {
            errorLog.warn("gate", MAX_HELD + " requests already held (the limit) while the restart runs; "
                    + "answering 503 to further ones");
        }
        ErrorPages.send(exchange, StatusCodes.SERVICE_UNAVAILABLE);
        return true;
    }

    private void refuse(HttpServerExchange exchange) {
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        ErrorPages.send(exchange, StatusCodes.SERVICE_UNAVAILABLE);
    }

    /** Holds new requests from now on. */
    public void close() {
        synchronized (lock) {
            closed = true;
            refusedWhileClosed.set(0);
        }
    }

    /**
     * Lets requests through again and admits every held one into the current generation.
     *
     * @return how many were held
     */
    public int open() {
        List<Held> released;
        long refused;
        synchronized (lock) {
            closed = false;
            released = new ArrayList<>(held);
            held.clear();
            refused = refusedWhileClosed.get();
        }
        if (refused > 0) {
            errorLog.warn("gate", refused + " requests were answered 503 because " + MAX_HELD + " were held");
        }
        for (Held h : released) {
            release(h);
        }
        return released.size();
    }

    /**
     * Answers every new request with 503 and {@code Connection: close} from now on (a stop is
     * under way), including the held ones.
     */
    public void stop() {
        List<Held> released;
        synchronized (lock) {
            stopping = true;
            closed = false;
            released = new ArrayList<>(held);
            held.clear();
        }
        for (Held h : released) {
            release(h);
        }
    }

    private void release(Held h) {
        HttpServerExchange exchange = h.exchange();
        // Back on the connection's own I/O thread, where its close is handled: no race with it.
        exchange.getIoThread().execute(() -> {
            if (exchange.isComplete() || !exchange.getConnection().isOpen()) {
                return; // the client gave up while held; its exchange already ended
            }
            admit(exchange, h.handler(), false);
        });
    }

    public boolean isClosed() {
        return closed;
    }

    /** Requests held right now. */
    public int heldCount() {
        synchronized (lock) {
            return held.size();
        }
    }
}
