package io.gatehouse.scgi.responder;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blocking SCGI or uwsgi server: serves an {@link ScgiApplication} on a listening TCP or unix
 * socket, one request per connection, a thread per connection. Meant for tests and for Java
 * backends spawned by gatehouse, not for heavy load.
 *
 * <p>A malformed request is answered {@code Status: 400 Bad Request} with the reason; an
 * application that throws before writing is answered {@code Status: 500}; a client that
 * disconnects mid-request ends its thread quietly.
 *
 * <p>Thread-safe: {@link #start} and {@link #close} may be called from any thread; close is
 * idempotent.
 */
public final class ScgiResponder implements Closeable {

    /** Prefix of every thread this class starts, so tests can check none is left. */
    public static final String THREAD_NAME_PREFIX = "gatehouse-scgi-";

    /** How long close() waits for all threads: plenty for threads whose sockets were just closed. */
    private static final long CLOSE_JOIN_MILLIS = 5_000;

    /** Pause after a failed accept (e.g. out of descriptors), so a persistent error is no busy loop. */
    private static final long ACCEPT_ERROR_BACKOFF_MILLIS = 100;

    private final ScgiProtocol protocol;
    private final ScgiApplication app;
    private final Map<ResponderConnection, Thread> connections = new ConcurrentHashMap<>();
    private final AtomicLong connectionSequence = new AtomicLong();
    private ServerSocketChannel server;
    private Thread acceptThread;
    private volatile boolean closed;

    public ScgiResponder(ScgiProtocol protocol, ScgiApplication app) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.app = Objects.requireNonNull(app, "app");
    }

    /**
     * Starts accepting on {@code server} (bound, TCP or unix), on a daemon thread. The responder
     * owns the channel from now on and closes it in {@link #close()}.
     *
     * @throws IllegalStateException if already started or closed
     * @throws UncheckedIOException if the channel cannot be switched to blocking mode
     */
    public synchronized ScgiResponder start(ServerSocketChannel server) {
        Objects.requireNonNull(server, "server");
        if (closed || this.server != null) {
            throw new IllegalStateException(closed ? "responder is closed" : "responder already started");
        }
        try {
            server.configureBlocking(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot switch the listening channel to blocking mode", e);
        }
        this.server = server;
        String threadName = THREAD_NAME_PREFIX + "accept-" + protocol.name().toLowerCase(Locale.ROOT);
        acceptThread = new Thread(this::acceptLoop, threadName);
        acceptThread.setDaemon(true);
        acceptThread.start();
        return this;
    }

    /**
     * Stops accepting, closes the listening channel and every open connection, and waits (at most
     * a few seconds) for all threads to end. Socket files of unix listeners are left to the caller.
     */
    @Override
    public void close() {
        Thread accepting;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            accepting = acceptThread;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MILLIS);
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // the descriptor is released even when close reports an error
            }
        }
        join(accepting, deadline);
        for (ResponderConnection connection : connections.keySet()) {
            connection.abort();
        }
        for (Thread thread : connections.values()) {
            join(thread, deadline);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed || !server.isOpen()) {
                    return;
                }
                System.err.println("GH-SCGI-003 accept failed on " + protocol + " listener: " + e);
                sleepQuietly(ACCEPT_ERROR_BACKOFF_MILLIS);
                continue;
            }
            serve(channel);
        }
    }

    private void serve(SocketChannel channel) {
        // finished threads stay listed until here so that close() can join every thread, even one
        // that has done its work but not yet returned
        connections.values().removeIf(thread -> !thread.isAlive());
        ResponderConnection connection = new ResponderConnection(channel, protocol, app);
        Thread thread = new Thread(connection, THREAD_NAME_PREFIX + "conn-" + connectionSequence.incrementAndGet());
        thread.setDaemon(true);
        connections.put(connection, thread);
        if (closed) {
            connection.abort();
            return;
        }
        thread.start();
    }

    private static void join(Thread thread, long deadlineNanos) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        try {
            thread.join(Math.max(1, left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
