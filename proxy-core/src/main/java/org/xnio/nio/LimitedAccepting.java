package org.xnio.nio;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Accepting on listening sockets that XNIO did not bind (bound by us or passed by systemd), with
 * one limit on the connections all of them hold together, as lighttpd's
 * {@code server.max-connections}: at the limit every listener stops accepting, and new connections
 * wait in their listen backlogs until the open ones fall to the resume mark.
 *
 * <p>Each listener is XNIO's {@code NioTcpServer} on the worker's one accept thread (as
 * {@code NioXnioWorker.createTcpConnectionServer} builds it after binding), which keeps the
 * listener's TCP_NODELAY and read/write timeouts, its accept back-off and its suspension for a
 * restart. The accepting itself is ours. XNIO's connection high water counts each listener on its
 * own, and its accept loop counts a try against it before it knows whether a connection waits, so
 * the limit came out one short or one over. Here a connection is taken only while the count is
 * below the limit, counted when accepted and uncounted when closed, from any thread.
 *
 * <p>Thread-safe: accepting, pausing and resuming run on the accept thread; closes and
 * {@link #setLimit} come from any thread.
 */
public final class LimitedAccepting {

    /** As XNIO: then the other listeners on the accept thread get their turn. */
    private static final int MOST_PER_WAKE_UP = 128;

    private final NioXnioWorker worker;
    private final WorkerThread acceptThread;
    private final List<NioTcpServer> servers = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile int limit;
    private volatile int resumeAt;
    /** Every listener stopped at the limit; set on the accept thread. */
    private volatile boolean paused;

    /**
     * @param limit    the most connections open at once on all listeners together
     * @param resumeAt accepting resumes when the open ones fall to this many
     * @throws IOException when {@code worker} is not XNIO's NIO worker; the message names what is
     *                     needed ("XNIO's NIO provider, but ...")
     */
    public LimitedAccepting(XnioWorker worker, int limit, int resumeAt) throws IOException {
        if (!(worker instanceof NioXnioWorker nio)) {
            throw new IOException("XNIO's NIO provider, but the worker is a " + worker.getClass().getName());
        }
        this.worker = nio;
        this.acceptThread = nio.getAcceptThread();
        setLimit(limit, resumeAt);
    }

    /**
     * Accepting on {@code channel}, a socket bound and listening, each connection handed to
     * {@code open} on the I/O thread chosen for it. {@code options} gives TCP_NODELAY and the
     * read/write timeouts (changed later through the channel's {@code setOption}). Not accepting
     * until {@code resumeAccepts()}; closing the channel closes the socket.
     */
    public AcceptingChannel<StreamConnection> serve(ServerSocketChannel channel, OptionMap options,
            ChannelListener<? super StreamConnection> open) throws IOException {
        channel.configureBlocking(false);
        NioTcpServer server = new NioTcpServer(worker, channel, options, true);
        server.setAcceptListener(ready -> acceptReady(ready, channel, open));
        servers.add(server);
        return server;
    }

    /**
     * A new limit (a restart's): paused accepting resumes at once if the open connections are at or
     * below the new resume mark; above the new limit, accepting pauses at the next connection.
     */
    public void setLimit(int limit, int resumeAt) {
        if (limit < 1 || resumeAt < 0 || resumeAt >= limit) {
            throw new IllegalArgumentException("limit " + limit + ", resume at " + resumeAt);
        }
        this.limit = limit;
        this.resumeAt = resumeAt;
        acceptThread.execute(this::resumeIfBelow);
    }

    private void acceptReady(NioTcpServer server, ServerSocketChannel channel,
            ChannelListener<? super StreamConnection> listener) {
        NioTcpServerHandle handle = server.getHandle(0);
        for (int i = 0; i < MOST_PER_WAKE_UP; i++) {
            // Paused, a restart's resume or the end of a back-off may still bring a wake-up:
            // accepting waits for the resume mark all the same.
            if (paused || open.get() >= limit) {
                pause();
                return;
            }
            SocketChannel accepted;
            try {
                accepted = channel.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                // Out of descriptors, most often: try again later rather than spin.
                handle.startBackOff();
                Log.log.acceptFailed(e, handle.getBackOffTime());
                return;
            }
            if (accepted == null) {
                return;
            }
            handle.resetBackOff();
            open.incrementAndGet();
            NioSocketStreamConnection connection;
            try {
                connection = connection(server, accepted);
            } catch (IOException | RuntimeException e) {
                IoUtils.safeClose(accepted);
                closed();
                continue;
            }
            handOver(connection, listener);
        }
    }

    /**
     * Gives {@code connection} to {@code listener} on its I/O thread. One that cannot be handed
     * over, or whose listener fails, is closed: kept, it would hold its place for good.
     */
    private static void handOver(NioSocketStreamConnection connection,
            ChannelListener<? super StreamConnection> listener) {
        try {
            connection.getIoThread().execute(() -> {
                if (!ChannelListeners.invokeChannelListener(connection, listener)) {
                    IoUtils.safeClose(connection);
                }
            });
        } catch (RejectedExecutionException stopping) {
            IoUtils.safeClose(connection);
        }
    }

    /** {@code accepted} set up as XNIO sets up the connections it accepts, counted out when closed. */
    private NioSocketStreamConnection connection(NioTcpServer server, SocketChannel accepted) throws IOException {
        accepted.configureBlocking(false);
        accepted.socket().setTcpNoDelay(server.getOption(Options.TCP_NODELAY));
        WorkerThread ioThread = worker.getIoThread(ThreadLocalRandom.current().nextInt());
        SelectionKey key = ioThread.registerChannel(accepted);
        NioSocketStreamConnection connection = new NioSocketStreamConnection(ioThread, key, this::closed);
        connection.setOption(Options.READ_TIMEOUT, server.getOption(Options.READ_TIMEOUT));
        connection.setOption(Options.WRITE_TIMEOUT, server.getOption(Options.WRITE_TIMEOUT));
        return connection;
    }

    /** Stops every listener at the limit: the connections wait in the kernel's backlogs. */
    private void pause() {
        paused = true;
        for (NioTcpServer server : servers) {
            server.getHandle(0).suspend(SelectionKey.OP_ACCEPT);
        }
        // A close between the count's check and the flag saw no pause: look again.
        resumeIfBelow();
    }

    /** A connection closed, on any thread. */
    private void closed() {
        if (open.decrementAndGet() <= resumeAt && paused) {
            try {
                acceptThread.execute(this::resumeIfBelow);
            } catch (RejectedExecutionException stopping) {
                // the server is stopping: nothing will be accepted again
            }
        }
    }

    private void resumeIfBelow() {
        servers.removeIf(server -> !server.isOpen());
        if (!paused || open.get() > resumeAt) {
            return;
        }
        paused = false;
        for (NioTcpServer server : servers) {
            // Places are free again, so a back-off after failed accepts (out of descriptors) ends
            // now, as XNIO ends it when a connection closes; a restart's suspension stays.
            server.getHandle(0).endBackOff();
        }
    }
}
