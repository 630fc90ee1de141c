package org.xnio.nio;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;

import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * JDK channels that XNIO did not open, put to work in XNIO. XNIO has no public API for either
 * use; the class lives in XNIO's package to reach its package-private classes, and only this
 * class does:
 * <ul>
 *   <li>{@link #register}: a socket to a backend (unix-domain or TCP) on the selector of an XNIO
 *       I/O thread ({@code WorkerThread}, {@code NioHandle}), so the thread that serves a client
 *       connection also serves the backend connection of its request: no hand-off to another
 *       thread, and under load one {@code epoll_wait} picks up events of both sides.
 *       {@link #supports} says whether a thread is one it can use. Every call on a registration
 *       must be made on its I/O thread.</li>
 *   <li>{@link #accepting}: a listening socket systemd passed, served as XNIO serves one it bound
 *       itself ({@code NioTcpServer}, {@code QueuedNioTcpServer2}).</li>
 * </ul>
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
     * NIO worker: listeners are only ever bound on one ({@link #accepting}).
     */
    public static Registration register(XnioIoThread thread, AbstractSelectableChannel channel,
            ReadyHandler handler) throws IOException {
        WorkerThread worker = (WorkerThread) thread;
        SelectionKey key = worker.registerChannel(channel);
        key.attach(new Handle(worker, key, handler));
        return new Registration(key);
    }

    /**
     * An accepting channel on {@code channel}, a socket already bound and listening, built as
     * {@code NioXnioWorker.createTcpConnectionServer} builds one after binding: the server keeps
     * TCP_NODELAY and the read/write timeouts of {@code options} and applies them to every
     * accepted connection. Not accepting until {@code resumeAccepts()}.
     *
     * @throws IOException when {@code worker} is not XNIO's NIO worker; the message names what is
     *                     needed ("XNIO's NIO provider, but ...")
     */
    public static AcceptingChannel<StreamConnection> accepting(XnioWorker worker, ServerSocketChannel channel,
            OptionMap options, ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener)
            throws IOException {
        if (!(worker instanceof NioXnioWorker nio)) {
            throw new IOException("XNIO's NIO provider, but the worker is a " + worker.getClass().getName());
        }
        QueuedNioTcpServer2 server = new QueuedNioTcpServer2(new NioTcpServer(nio, channel, options, true));
        server.setAcceptListener(acceptListener);
        return server;
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
