package io.gatehouse.core.internal.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gatehouse.core.internal.backend.IoThreads;
import io.gatehouse.core.internal.gateway.Http2Streams;
import io.gatehouse.core.internal.gateway.RequestTicket;
import io.gatehouse.core.internal.log.ErrorLog;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Protocols;
import io.undertow.util.SameThreadExecutor;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * Holds an HTTP/2 connection to the {@link #MAX_STREAMS} requests at once it is told it may have
 * (SETTINGS_MAX_CONCURRENT_STREAMS), counting a request until gatehouse is done with it rather than
 * until the client is. Undertow enforces neither: it takes every stream a client opens, and a
 * stream the client resets before its response begins goes on to the backend without a word, so
 * that one connection opening and resetting streams held a backend connection per stream (10
 * such connections took gatehouse to its 20,000 descriptors). A request past the limit waits for
 * a slot, as does a client's first burst sent before it read the limit, or the stream of a
 * browser that reset one whose request still runs. lighttpd makes it wait too: it stops reading
 * the connection's frames until a stream ends. Past {@link #MAX_WAITING} waiting, or once all
 * connections together hold their {@link Http2RequestBudget}, its stream is reset at once. When
 * the connection closes, the requests waiting are dropped and those running are aborted, their
 * backend connections closed; so is a request whose stream the client resets, which Undertow
 * does not pass on ({@link #streamReset}, told by the frame counter under Undertow's parser).
 *
 * <p>One instance per HTTP/2 connection, attached to it; confined to its I/O thread.
 */
final class Http2RequestSlots {

    /**
     * Streams one HTTP/2 connection may have open at once, as the server advertises: lighttpd's 8.
     * Each is a request in flight to a backend; a client that wants more opens more connections,
     * which {@code server.max-connections} bounds.
     */
    static final int MAX_STREAMS = 8;
    /**
     * Requests a connection may have waiting for a slot: the 100 streams a client may open before
     * it has read the server's SETTINGS (nghttp2's and Chrome's assumption, RFC 9113's
     * recommended minimum) wait rather than fail; a browser's reset streams take fewer.
     */
    static final int MAX_WAITING = 100;

    private static final AttachmentKey<Http2RequestSlots> KEY = AttachmentKey.create(Http2RequestSlots.class);

    private final XnioIoThread ioThread;
    private final Http2RequestBudget budget;
    private final Http2RequestBudget.Endpoints endpoints;
    private final ErrorLog errorLog;
    /** By stream id. */
    private final Map<Integer, HttpServerExchange> running = new HashMap<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /**
     * Streams reset before their requests came here: Undertow may parse a HEADERS frame after the
     * reset read behind it was seen. At most as many as the resets a connection may send.
     */
    private final Set<Integer> resetBeforeArrival = new HashSet<>();
    private int lastStreamId;
    private boolean refusalLogged;

    private record Waiting(int streamId, HttpServerExchange exchange, HttpHandler next) {
    }

    private Http2RequestSlots(XnioIoThread ioThread, Http2RequestBudget budget, Http2RequestBudget.Endpoints endpoints,
            ErrorLog errorLog) {
        this.ioThread = ioThread;
        this.budget = budget;
        this.endpoints = endpoints;
        this.errorLog = errorLog;
    }

    /**
     * Passes {@code exchange} to {@code next} now when it is not HTTP/2 or its connection has a
     * slot free; else parks it until one frees; resets its stream when its connection has too many
     * waiting or all connections together hold {@code budget}'s limit. Call on the I/O thread, in
     * the root handler call.
     */
    static void admit(HttpServerExchange exchange, Http2RequestBudget budget, ErrorLog errorLog, HttpHandler next)
            throws Exception {
        if (!exchange.getProtocol().equals(Protocols.HTTP_2_0)) {
            next.handleRequest(exchange);
            return;
        }
        ServerConnection connection = exchange.getConnection();
        // An HTTP/2 stream's connection keeps its attachments on the shared HTTP/2 connection.
        Http2RequestSlots slots = connection.getAttachment(KEY);
        if (slots == null) {
            Http2RequestBudget.Endpoints endpoints = new Http2RequestBudget.Endpoints(connection.getLocalAddress(),
                    connection.getPeerAddress());
            slots = new Http2RequestSlots(exchange.getIoThread(), budget, endpoints, errorLog);
            connection.putAttachment(KEY, slots);
            budget.connectionOpened(endpoints, slots);
            Http2RequestSlots opened = slots;
            connection.addCloseListener(closedConnection -> IoThreads.runOn(opened.ioThread, opened::connectionClosed));
        }
        slots.take(Http2Streams.idOf(connection), exchange, next);
    }

    private void take(int streamId, HttpServerExchange exchange, HttpHandler next) throws Exception {
        lastStreamId = Math.max(lastStreamId, streamId);
        if (!resetBeforeArrival.isEmpty() && arrivedReset(streamId)) {
            resetStream(exchange);
            return;
        }
        if (running.size() < MAX_STREAMS) {
            if (!budget.tryRun()) {
                refuse(exchange, budget.limit() + " HTTP/2 requests running on all connections together"
                        + " (server.max-connections)");
                return;
            }
            run(streamId, exchange);
            next.handleRequest(exchange);
        } else if (waiting.size() >= MAX_WAITING) {
            refuse(exchange, MAX_STREAMS + " requests running and " + MAX_WAITING + " waiting on its connection");
        } else if (!budget.tryWait()) {
            refuse(exchange, "no room left to wait in the " + budget.limit() + " HTTP/2 requests all"
                    + " connections together may hold (server.max-connections), once each has room for "
                    + MAX_STREAMS);
        } else {
            waiting.add(new Waiting(streamId, exchange, next));
            // Undertow ends an exchange whose handler returns undispatched; this one waits.
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> { });
        }
    }

    /**
     * Resets the stream: an answer (a 503 page) would be held, with the request's head, until a
     * client that does not read took it, so that a connection opening streams without end held
     * memory without end (80 such connections filled the heap).
     */
    private void refuse(HttpServerExchange exchange, String why) {
        if (!refusalLogged) {
            refusalLogged = true;
            errorLog.warn("server", "HTTP/2 client " + exchange.getSourceAddress() + ": " + why
                    + "; resetting the streams it opens past the limit");
        }
        resetStream(exchange);
    }

    private static void resetStream(HttpServerExchange exchange) {
        IoUtils.safeClose(exchange.getConnection()); // an HTTP/2 stream's connection: RST_STREAM
        Http2Streams.end(exchange);
    }

    /** Whether stream {@code streamId} was reset before its request came; forgets it, and those Undertow dropped. */
    private boolean arrivedReset(int streamId) {
        boolean reset = resetBeforeArrival.remove(streamId);
        // Streams arrive in the order of their ids: a lower one reset has been refused by Undertow.
        resetBeforeArrival.removeIf(id -> id < streamId);
        return reset;
    }

    private void run(int streamId, HttpServerExchange exchange) {
        running.put(streamId, exchange);
        exchange.addExchangeCompleteListener((ex, next) -> {
            IoThreads.runOn(ioThread, () -> finished(streamId, ex));
            next.proceed();
        });
    }

    private void finished(int streamId, HttpServerExchange exchange) {
        if (!running.remove(streamId, exchange)) {
            return; // cut short when its connection closed, which gave its place back
        }
        Waiting next = waiting.poll();
        if (next == null) {
            budget.release(1, 0);
        } else {
            budget.waitingRuns(); // into the running place just left
            run(next.streamId(), next.exchange());
            // Queued rather than run inside the completion of the exchange that made room; from a
            // task of its own the dispatch runs the handler as its own root call.
            ioThread.execute(() -> {
                if (!next.exchange().isComplete()) { // its stream reset meanwhile
                    next.exchange().dispatch(SameThreadExecutor.INSTANCE, next.next());
                }
            });
        }
    }

    /**
     * The client is gone: what still runs for it is cut short, its backend connection closed, and
     * what waits never starts. The exchange of a stream the client reset before the connection
     * closed is one Undertow has forgotten: closing the connection does not end it, so it is ended
     * here, or it would count in flight for good and hold up a restart's drain.
     */
    private void connectionClosed() {
        budget.release(running.size(), waiting.size());
        budget.connectionClosed(endpoints, this);
        waiting.clear();
        List<HttpServerExchange> cut = new ArrayList<>(running.values());
        running.clear();
        for (HttpServerExchange exchange : cut) {
            cutShort(exchange);
        }
    }

    /**
     * The client reset stream {@code streamId}. A request that waits for a slot gives its place
     * back and never starts; one that runs is cut short (its backend connection closed, as
     * lighttpd closes it), and gives its place back as it ends; so does a request the restart's
     * gate holds, which the gate then lets go. Undertow would let both run to their end: it
     * forgets a stream reset before its response begins.
     */
    void streamReset(int streamId) {
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.streamId() == streamId) {
                it.remove();
                budget.release(0, 1);
                // Undertow may not have read the client's reset yet: ended alone, the exchange would
                // be answered (an empty 200) on the stream the client has just reset.
                resetStream(w.exchange());
                return;
            }
        }
        HttpServerExchange exchange = running.get(streamId);
        if (exchange != null) {
            if (!exchange.isComplete()) { // else answered already, its place given back in a moment
                cutShort(exchange);
            }
        } else if (streamId > lastStreamId && resetBeforeArrival.size() < Http2FrameCounter.Budget.RESETS.limit) {
            resetBeforeArrival.add(streamId);
        }
    }

    /**
     * Ends {@code exchange} and lets go of what its request holds. The exchange of a stream the
     * client reset is one Undertow has forgotten: nothing else would end it.
     */
    private static void cutShort(HttpServerExchange exchange) {
        RequestTicket ticket = exchange.getAttachment(RequestTicket.KEY);
        if (ticket != null) {
            ticket.abort(); // which resets the stream and ends the exchange (here, on its I/O thread, at once)
        } else if (!exchange.isComplete()) {
            resetStream(exchange); // held at the gate: reset first, so that nothing is answered on it
        }
    }
}
