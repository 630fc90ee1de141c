package io.gatehouse.core;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The end of a {@link ScriptedBackend}'s script: accepts every connection and answers every
 * FastCGI request on it with 200 after {@code answerDelay}, keeping the connection open while
 * gatehouse asks to keep it (FCGI_KEEP_CONN). Counts the connections open now and at most, so a
 * test sees whether gatehouse's pool still has all its slots and honours {@code max-connections}.
 *
 * <p>Thread-safe; one thread accepts, one serves each connection; all are joined by {@link #close()}.
 */
final class AutoAnswerer implements Closeable {

    private static final long JOIN_MILLIS = 5000;
    private static final Duration REQUEST_LIMIT = Duration.ofSeconds(30);

    /** Connections open now. */
    final AtomicInteger open = new AtomicInteger();
    /** The most connections open at once. */
    final AtomicInteger peakOpen = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    private final ServerSocketChannel server;
    private final AtomicInteger accepted;
    private final Duration answerDelay;
    private final List<ScriptedConnection> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    AutoAnswerer(ServerSocketChannel server, AtomicInteger accepted, Duration answerDelay) {
        this.server = server;
        this.accepted = accepted;
        this.answerDelay = answerDelay;
        this.acceptor = new Thread(this::acceptLoop, "auto-answerer-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept(); // non-blocking: polled, so that close() needs no wake-up
            } catch (IOException e) {
                return;
            }
            if (channel == null) {
                ScriptedBackend.sleep(2);
                continue;
            }
            accepted.incrementAndGet();
            peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            Thread thread = new Thread(() -> serve(channel), "auto-answerer-" + accepted.get());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void serve(SocketChannel channel) {
        try (ScriptedConnection connection = new ScriptedConnection(channel)) {
            connections.add(connection);
            while (!closed) {
                ScriptedConnection.FcgiRequest request = connection.readRequest(REQUEST_LIMIT);
                if (!answerDelay.isZero()) {
                    ScriptedBackend.sleep(answerDelay.toMillis());
                }
                connection.write(ScriptedConnection.answer(request.requestId(), "auto"), REQUEST_LIMIT);
                answered.incrementAndGet();
                if (!request.keepConn()) {
                    return;
                }
            }
        } catch (IOException | AssertionError | RuntimeException e) {
            // gatehouse closed a kept connection (idle timeout, stop), or the test ended
        } finally {
            open.decrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (ScriptedConnection connection : connections) {
            connection.close();
        }
        try {
            acceptor.join(JOIN_MILLIS);
            for (Thread thread : threads) {
                thread.join(JOIN_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
