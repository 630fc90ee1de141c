package io.gatehouse.fcgi.responder;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatehouse.fcgi.Fcgi;

/**
 * A blocking FastCGI responder server: accepts web-server connections on a TCP or unix-domain
 * {@link ServerSocketChannel} and serves each on its own thread with an {@link FcgiApplication}.
 * Used by tests and by the built-in demo backend.
 *
 * <p>Honours FCGI_KEEP_CONN, answers GET_VALUES (FCGI_MAX_CONNS and FCGI_MAX_REQS are
 * {@link #MAX_CONNECTIONS}, FCGI_MPXS_CONNS is 0), answers unknown record types with
 * UNKNOWN_TYPE and roles other than responder with UNKNOWN_ROLE. Request bodies stream to the
 * application; STDOUT goes out in records as the application writes.
 *
 * <p>Thread-safe: {@link #start} and {@link #close} may be called from any thread.
 */
public final class FcgiResponder implements Closeable {

    /** One thread per connection: this bounds the threads a burst of clients can start. */
    public static final int MAX_CONNECTIONS = 64;

    /** How long {@link #close} waits for threads to finish; an application stuck in a computation may not. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Pause after a failed accept (e.g. out of descriptors) so the loop does not spin. */
    private static final long ACCEPT_RETRY_MILLIS = 100;

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final FcgiApplication app;
    private final Map<String, String> managementValues;
    private final String name = "fcgi-responder-" + INSTANCES.incrementAndGet();
    private final Object lock = new Object();
    private final Map<ResponderConnection, Thread> connections = new HashMap<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private ServerSocketChannel server;
    private Thread acceptThread;
    private boolean closed;

    public FcgiResponder(FcgiApplication app) {
        if (app == null) {
            throw new IllegalArgumentException("app is null");
        }
        this.app = app;
        Map<String, String> values = new LinkedHashMap<>();
        values.put(Fcgi.MAX_CONNS, Integer.toString(MAX_CONNECTIONS));
        values.put(Fcgi.MAX_REQS, Integer.toString(MAX_CONNECTIONS));
        values.put(Fcgi.MPXS_CONNS, "0");
        this.managementValues = Map.copyOf(values);
    }

    /**
     * Starts accepting on {@code server} (TCP or unix, switched to blocking mode) on a daemon
     * thread; each connection gets its own daemon thread. The responder owns the channel from now
     * on and closes it in {@link #close}; a unix socket file is the caller's to delete.
     *
     * @throws IllegalStateException if already started or closed
     * @throws UncheckedIOException if the channel cannot be switched to blocking mode
     */
    public FcgiResponder start(ServerSocketChannel server) {
        synchronized (lock) {
            if (closed || this.server != null) {
                throw new IllegalStateException(name + " was already " + (closed ? "closed" : "started"));
            }
            try {
                server.configureBlocking(true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot switch the listening channel to blocking mode", e);
            }
            this.server = server;
            acceptThread = new Thread(this::acceptLoop, name + "-accept");
            acceptThread.setDaemon(true);
            acceptThread.start();
        }
        return this;
    }

    /**
     * Stops accepting, closes the server channel and every open connection, and waits (bounded)
     * for the threads to end. Idempotent.
     */
    @Override
    public void close() {
        List<Thread> threads = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (server != null) {
                try {
                    server.close();
                } catch (IOException e) {
                    // the accept thread still sees the channel as closed
                }
                threads.add(acceptThread);
            }
            connections.forEach((connection, thread) -> {
                connection.closeChannel();
                threads.add(thread);
            });
        }
        joinAll(threads);
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (isClosed()) {
                    return;
                }
                if (!server.isOpen()) {
                    System.err.println("gatehouse fcgi responder: the listening channel was closed elsewhere,"
                            + " no longer accepting: " + e);
                    return;
                }
                System.err.println("gatehouse fcgi responder: accept failed, retrying: " + e);
                if (!pause()) {
                    return;
                }
                continue;
            }
            register(channel);
        }
    }

    private void register(SocketChannel channel) {
        synchronized (lock) {
            if (closed || connections.size() >= MAX_CONNECTIONS) {
                if (!closed) {
                    System.err.println("gatehouse fcgi responder: " + MAX_CONNECTIONS
                            + " connections open (FcgiResponder.MAX_CONNECTIONS), refusing another");
                }
                closeQuietly(channel);
                return;
            }
            try {
                if (channel.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
                    // records are written whole; waiting to coalesce them only adds latency
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
            } catch (IOException e) {
                closeQuietly(channel);
                return;
            }
            ResponderConnection connection = new ResponderConnection(channel, app, managementValues);
            Thread thread = new Thread(() -> {
                try {
                    connection.run();
                } finally {
                    synchronized (lock) {
                        connections.remove(connection);
                    }
                }
            }, name + "-conn-" + connectionCount.incrementAndGet());
            thread.setDaemon(true);
            connections.put(connection, thread);
            thread.start();
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private boolean pause() {
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS);
            return !isClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was served on it
        }
    }

    private void joinAll(List<Thread> threads) {
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        boolean interrupted = false;
        for (Thread thread : threads) {
            if (thread == Thread.currentThread()) {
                // close() called by the application itself: its own thread ends when it returns
                continue;
            }
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(thread, left);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (thread.isAlive()) {
                thread.interrupt();
                System.err.println("gatehouse fcgi responder: " + thread.getName()
                        + " is still running in the application after close");
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
