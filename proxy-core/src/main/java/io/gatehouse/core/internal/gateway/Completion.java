package io.gatehouse.core.internal.gateway;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Ends exchanges on their I/O thread. Undertow's keep-alive hand-over ({@code exchangeComplete})
 * run from another thread takes a lock-free flag that the I/O thread spins on when the client's
 * next request arrives meanwhile; on two cores the woken I/O thread preempts the worker thread
 * holding the flag and spins out its time slice. Ending on the I/O thread takes the path without
 * the flag, and the last bytes are flushed there without blocking.
 */
public final class Completion {

    /** Does nothing: Undertow ends an exchange whose handler returned without dispatching. */
    private static final HttpHandler END = exchange -> { };

    private Completion() {
    }

    /** Ends {@code exchange} on its I/O thread once the current handler returns. */
    public static void endOnIoThread(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.endExchange();
        } else {
            exchange.dispatch(exchange.getIoThread(), END);
        }
    }
}
