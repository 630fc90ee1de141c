package io.gatehouse.core.internal.server;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;

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
 * <p>It also knows each open HTTP/2 connection's {@link Http2RequestSlots} by the connection's
 * addresses, so that a stream reset the frame counter reads under Undertow reaches the request it
 * cancels ({@link #streamReset}). A listener serves TCP only, where the two addresses name one
 * open connection.
 *
 * <p>One per server, shared by its listeners; thread-safe.
 */
public final class Http2RequestBudget {

    private final int limit;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Map<Endpoints, Http2RequestSlots> connections = new ConcurrentHashMap<>();

    /** What tells one open TCP connection from every other. */
    record Endpoints(SocketAddress local, SocketAddress peer) {
    }

    public Http2RequestBudget(int limit) {
        this.limit = limit;
    }

    int limit() {
        return limit;
    }

    void connectionOpened(Endpoints endpoints, Http2RequestSlots slots) {
        connections.put(endpoints, slots);
    }

    void connectionClosed(Endpoints endpoints, Http2RequestSlots slots) {
        connections.remove(endpoints, slots); // not a newer connection's, should the client's port come again
    }

    /**
     * The client of {@code connection} reset stream {@code streamId}: its request, if it waits or
     * runs still, is let go. Called on the connection's I/O thread while the frame is read, before
     * Undertow has parsed it (or the HEADERS before it in the same read): the request is looked for
     * in a task of its own, which runs once the read is handled. Undertow parses the first frames of
     * an h2c connection in a task of its own, queued after that one: a connection with no request
     * yet is looked for once more, after it. (Should the connection still have none, the reset is
     * let be, and its request runs.)
     */
    void streamReset(StreamConnection connection, int streamId) {
        Endpoints endpoints = new Endpoints(connection.getLocalAddress(), connection.getPeerAddress());
        XnioIoThread ioThread = connection.getIoThread();
        ioThread.execute(() -> {
            if (!tellSlots(endpoints, streamId)) {
                ioThread.execute(() -> tellSlots(endpoints, streamId));
            }
        });
    }

    private boolean tellSlots(Endpoints endpoints, int streamId) {
        Http2RequestSlots slots = connections.get(endpoints);
        if (slots == null) {
            return false;
        }
        slots.streamReset(streamId);
        return true;
    }

    /** Takes a running request's place; false when all are taken. */
    boolean tryRun() {
        return tryTake(running, () -> limit);
    }

    /** Takes a waiting request's place; false when what is left is the open connections' room to run. */
    boolean tryWait() {
        return tryTake(waiting, () -> limit - Http2RequestSlots.MAX_STREAMS * connections.size());
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
