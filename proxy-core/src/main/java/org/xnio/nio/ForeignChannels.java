package org.xnio.nio;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;

import org.xnio.XnioIoThread;

/**
 * Sockets to backends (unix-domain or TCP), which XNIO did not open, on the selector of an XNIO
 * I/O thread ({@code WorkerThread}, {@code NioHandle}), so the thread that serves a client
 * connection also serves the backend connection of its request: no hand-off to another thread,
 * and under load one {@code epoll_wait} picks up events of both sides. Every call on a
 * registration must be made on its I/O thread.
 *
 * <p>XNIO has no public API for it: the class lives in XNIO's package to reach its package-private
 * classes, as only {@link LimitedAccepting} (the listening sockets) also does.
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

    /**
     * Registers {@code channel} (non-blocking) with {@code thread}'s selector, with no interest
     * yet. Closing the channel ends the registration. {@code thread} is an I/O thread of XNIO's
     * NIO worker: listeners are only ever served by one ({@link LimitedAccepting}).
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
