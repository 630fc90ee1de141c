package io.gatehouse.core.internal.backend;

import java.io.IOException;
import java.nio.channels.SocketChannel;

import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.nio.ForeignChannels;

/**
 * A FastCGI connection of the I/O-thread gateway that outlives its request: sent with
 * FCGI_KEEP_CONN, kept in its host's {@link KeptConnections} between requests, and taken by
 * whichever I/O thread serves the next one. A channel may be registered with several selectors,
 * so the connection is registered once with each I/O thread that uses it and moves between them
 * without leaving either; only the thread using it has interest in it, so readiness always
 * reaches that thread's request.
 *
 * <p>Used by one I/O thread at a time, handed from one to the next through its pool's lock.
 */
final class KeptConnection implements ForeignChannels.ReadyHandler {

    private final SocketChannel channel;
    /** Indexed by {@link XnioIoThread#getNumber()}; grows for the first request on each thread. */
    private ForeignChannels.Registration[] registrations = new ForeignChannels.Registration[2];
    private ForeignChannels.ReadyHandler user;
    private XnioIoThread userThread;
    private int requests;
    /** When it was last parked, {@link System#nanoTime()}. */
    long parkedAt;

    KeptConnection(SocketChannel channel) {
        this.channel = channel;
    }

    SocketChannel channel() {
        return channel;
    }

    /** How many requests it carried, the current one included. */
    int requests() {
        return requests;
    }

    /**
     * Makes {@code handler}, on {@code thread} (the calling thread), the one readiness goes to,
     * and returns the connection's registration with that thread's selector.
     */
    ForeignChannels.Registration attach(XnioIoThread thread, ForeignChannels.ReadyHandler handler)
            throws IOException {
        int slot = thread.getNumber();
        if (slot >= registrations.length) {
            ForeignChannels.Registration[] larger = new ForeignChannels.Registration[slot + 1];
            System.arraycopy(registrations, 0, larger, 0, registrations.length);
            registrations = larger;
        }
        ForeignChannels.Registration registration = registrations[slot];
        if (registration == null) {
            registration = ForeignChannels.register(thread, channel, this);
            registrations[slot] = registration;
        }
        user = handler;
        userThread = thread;
        requests++;
        return registration;
    }

    /** Ends the current request's use: no interest, no handler. Call on the thread that attached. */
    void detach() {
        if (userThread != null) {
            registrations[userThread.getNumber()].interest(0);
        }
        user = null;
        userThread = null;
    }

    @Override
    public void ready(int readyOps) {
        ForeignChannels.ReadyHandler handler = user;
        // A stale event from a thread the connection moved away from is not the user's business.
        if (handler != null && Thread.currentThread() == userThread) {
            handler.ready(readyOps);
        }
    }

    @Override
    public void terminated() {
        ForeignChannels.ReadyHandler handler = user;
        if (handler != null && Thread.currentThread() == userThread) {
            handler.terminated();
        }
    }

    void close() {
        IoUtils.safeClose(channel); // a backend socket we are done with: nothing to recover
    }
}
