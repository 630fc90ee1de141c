package org.xnio.nio;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;

import org.xnio.XnioIoThread;

/**
 * Puts a JDK channel that XNIO did not open (a unix-domain or TCP socket to a backend) on the
 * selector of an XNIO I/O thread, so the thread that serves a client connection also serves the
 * backend connection of its request: no hand-off to another thread, and under load one
 * {@code epoll_wait} picks up events of both sides. XNIO has no public API for this; the class
 * lives in XNIO's package to reach its {@code WorkerThread} and {@code NioHandle}, and only
 * this class does. {@link #supports} says whether a thread is one it can use.
 *
 * <p>Every method must be called on the I/O thread the channel is registered with.
 */
public final class ForeignChannels {

    /** What the I/O thread calls back. */
    public interface ReadyHandler {

        /** Some of the interest ops are ready ({@link SelectionKey} bits). */
        void ready(int readyOps);

        /** The I/O thread is shutting down; the channel was closed. */
        void terminated();
    }

    /** One registered channel. */
    public static final class Registration {

        private final SelectionKey key;

        private Registration(SelectionKey key) {
            this.key = key;
        }

        /** Sets the ops to wait for ({@link SelectionKey#OP_READ} etc.; 0 = none). */
        public void interest(int ops) {
            if (key.isValid()) {
                key.interestOps(ops);
            }
        }
    }

    private ForeignChannels() {
    }

    /** True when {@code thread} is XNIO's NIO I/O thread, the only kind this class can use. */
    public static boolean supports(XnioIoThread thread) {
        return thread instanceof WorkerThread;
    }

    /**
     * Registers {@code channel} (non-blocking) with {@code thread}'s selector, with no interest
     * yet. Closing the channel ends the registration.
     */
    public static Registration register(XnioIoThread thread, AbstractSelectableChannel channel,
            ReadyHandler handler) throws IOException {
        WorkerThread worker = (WorkerThread) thread;
        SelectionKey key = worker.registerChannel(channel);
        key.attach(new Handle(worker, key, handler));
        return new Registration(key);
    }

    private static final class Handle extends NioHandle {

        private final ReadyHandler handler;

        Handle(WorkerThread thread, SelectionKey key, ReadyHandler handler) {
            super(thread, key);
            this.handler = handler;
        }

        @Override
        void handleReady(int ops) {
            handler.ready(ops);
        }

        @Override
        void forceTermination() {
            handler.terminated();
        }

        @Override
        void terminated() {
            handler.terminated();
        }
    }
}
