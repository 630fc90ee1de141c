package org.xnio.nio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;

import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.OptionMap;
import org.xnio.Options;
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
 *   <li>{@link #accepting}: a listening socket bound by us or passed by systemd, served by XNIO's
 *       {@code NioTcpServer} with an accept loop of ours that keeps the connection limit exact.</li>
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
     * An accepting channel on {@code channel}, a socket already bound and listening (by the caller
     * or by systemd), built as {@code NioXnioWorker.createTcpConnectionServer} builds one after
     * binding: one accept thread, and the server keeps TCP_NODELAY, the read/write timeouts and the
     * connection high and low water of {@code options} and applies them to every accepted
     * connection. Each connection goes to {@code open} on the I/O thread XNIO chose for it. Not
     * accepting until {@code resumeAccepts()}.
     *
     * <p>Why not XNIO's own ({@code QueuedNioTcpServer2}): after each connection it accepts, it tries
     * at once for another, and XNIO counts a try against the high water before it knows whether a
     * connection waits. A try for the last place that finds none pauses accepting one short of the
     * limit, and a high water set one above the limit to make up for it lets in a connection that
     * arrives at that instant, one past the limit. Here the last place is only taken when the
     * selector has reported a waiting connection, so the limit is exact.
     *
     * @throws IOException when {@code worker} is not XNIO's NIO worker; the message names what is
     *                     needed ("XNIO's NIO provider, but ...")
     */
    public static AcceptingChannel<StreamConnection> accepting(XnioWorker worker, ServerSocketChannel channel,
            OptionMap options, ChannelListener<? super StreamConnection> open) throws IOException {
        if (!(worker instanceof NioXnioWorker nio)) {
            throw new IOException("XNIO's NIO provider, but the worker is a " + worker.getClass().getName());
        }
        channel.configureBlocking(false);
        NioTcpServer server = new NioTcpServer(nio, channel, options, true);
        server.setAcceptListener(new AcceptUpToTheHighWater(open));
        return server;
    }

    /** Accepts on the server's one accept thread and hands each connection to its I/O thread. */
    private static final class AcceptUpToTheHighWater implements ChannelListener<NioTcpServer> {

        /** As XNIO: then the other listeners on the accept thread get their turn. */
        private static final int MOST_PER_WAKE_UP = 128;

        private final ChannelListener<? super StreamConnection> open;

        AcceptUpToTheHighWater(ChannelListener<? super StreamConnection> open) {
            this.open = open;
        }

        /** Called when the selector reports a connection waiting: the first accept finds one. */
        @Override
        public void handleEvent(NioTcpServer server) {
            NioTcpServerHandle handle = server.getHandle(0);
            try {
                for (int i = 0; i < MOST_PER_WAKE_UP; i++) {
                    NioSocketStreamConnection connection = server.accept();
                    if (connection == null) {
                        return;
                    }
                    connection.getIoThread().execute(() -> ChannelListeners.invokeChannelListener(connection, open));
                    if (handle.getConnectionCount() + 1 >= highWater(server)) {
                        // A try now would count against the last place even if nothing waits:
                        // the selector says when something does.
                        return;
                    }
                }
            } catch (ClosedChannelException closed) {
                // closed by a stop or restart meanwhile: nothing more to accept
            }
        }

        private static int highWater(NioTcpServer server) {
            try {
                return server.getOption(Options.CONNECTION_HIGH_WATER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
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
