package io.gatehouse.core;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatehouse.conf.BackendConfig;

/**
 * A FastCGI backend socket, on a temp unix socket or a loopback port, whose every step the test
 * takes: it accepts when told to ({@link #accept}), and each {@link ScriptedConnection} reads,
 * writes, stalls and closes when told to. It can stop listening (connects are refused) and listen
 * again on the same address, fill its own listen queue, or, for the end of a test, answer every
 * request by itself ({@link #serveEveryRequest}).
 *
 * <p>Not thread-safe, except the counters and {@link #close()}: one test thread drives it.
 */
final class ScriptedBackend implements Closeable {

    /** The transport between gatehouse and the backend. */
    enum Transport { UNIX, TCP }

    private static final long POLL_MILLIS = 20;

    final Transport transport;
    /** Connections accepted so far, by the test or by {@link #serveEveryRequest}. */
    final AtomicInteger accepted = new AtomicInteger();
    private final Path dir;
    private final SocketAddress address;
    private int backlog;
    /** The TCP port, kept for {@link #listenAgain()}; 0 for a unix socket. */
    private int port;
    private final List<Closeable> owned = new CopyOnWriteArrayList<>();
    private ServerSocketChannel server;
    private Selector acceptSelector;
    private AutoAnswerer answerer;

    private ScriptedBackend(Transport transport, Path dir, SocketAddress address, int backlog) {
        this.transport = transport;
        this.dir = dir;
        this.address = address;
        this.backlog = backlog;
    }

    /** A backend listening with a queue of {@code backlog} connections. */
    static ScriptedBackend start(Transport transport, int backlog) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-eng-");
        SocketAddress address = transport == Transport.UNIX ? UnixDomainSocketAddress.of(dir.resolve("b.sock"))
                : new InetSocketAddress("127.0.0.1", 0);
        ScriptedBackend backend = new ScriptedBackend(transport, dir, address, backlog);
        try {
            backend.listen();
        } catch (IOException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    private void listen() throws IOException {
        server = transport == Transport.UNIX ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                : ServerSocketChannel.open();
        if (transport == Transport.TCP) {
            server.socket().setReuseAddress(true);
        }
        server.bind(address, backlog);
        if (transport == Transport.TCP) {
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        }
        server.configureBlocking(false);
        acceptSelector = Selector.open();
        server.register(acceptSelector, SelectionKey.OP_ACCEPT);
    }

    /** The proxy's config for this backend. */
    BackendConfig.Builder config() {
        BackendConfig.Builder builder = transport == Transport.UNIX ? BackendConfig.unix(((UnixDomainSocketAddress)
                address).getPath()) : BackendConfig.tcp("127.0.0.1", port);
        return builder.label("scripted").checkLocal(false);
    }

    /** The next connection, accepted within {@code limit}; fails the test if none comes. */
    ScriptedConnection accept(Duration limit) throws IOException {
        SocketChannel channel = acceptWithin(limit);
        if (channel == null) {
            throw new AssertionError("no connection reached the backend within " + limit.toMillis() + " ms");
        }
        return adopt(channel);
    }

    /**
     * The next connection from gatehouse after the listen queue was {@linkplain #fillListenQueue
     * filled}, within {@code limit}: one that ends before sending a byte is a filler of the test's
     * (a TCP connect given up just as it completed), and is skipped.
     */
    ScriptedConnection acceptAfterFilling(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            ScriptedConnection connection = accept(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (!connection.endsWithoutData(limit)) {
                return connection;
            }
            connection.close();
        }
    }

    /** True when no connection arrives within {@code limit}; one that does is accepted and closed. */
    boolean acceptsNothingWithin(Duration limit) throws IOException {
        SocketChannel channel = acceptWithin(limit);
        if (channel == null) {
            return true;
        }
        channel.close();
        return false;
    }

    /** Like {@link #acceptsNothingWithin}, skipping the test's own fillers ({@link #acceptAfterFilling}). */
    boolean acceptsNothingAfterFillingWithin(Duration limit) throws IOException {
        try (ScriptedConnection connection = acceptAfterFilling(limit)) {
            return false;
        } catch (AssertionError none) {
            return true;
        }
    }

    private SocketChannel acceptWithin(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            SocketChannel channel = server.accept();
            if (channel != null) {
                accepted.incrementAndGet();
                return channel;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            acceptSelector.select(Math.max(1, Math.min(POLL_MILLIS, left / 1_000_000)));
            acceptSelector.selectedKeys().clear();
        }
    }

    private ScriptedConnection adopt(SocketChannel channel) throws IOException {
        ScriptedConnection connection = new ScriptedConnection(channel);
        owned.add(connection);
        return connection;
    }

    /** Closes the listening socket; a unix socket file stays: connects to it are refused, not "not found". */
    void stopListening() throws IOException {
        acceptSelector.close();
        server.close();
    }

    /** Listens again on the same address, with a queue of {@code newBacklog}. */
    void listenAgain(int newBacklog) throws IOException {
        backlog = newBacklog;
        listenAgain();
    }

    /** Listens again on the same address. */
    void listenAgain() throws IOException {
        if (transport == Transport.UNIX) {
            Files.deleteIfExists(((UnixDomainSocketAddress) address).getPath());
        }
        SocketAddress bound = transport == Transport.TCP ? new InetSocketAddress("127.0.0.1", port) : address;
        server = transport == Transport.UNIX ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                : ServerSocketChannel.open();
        if (transport == Transport.TCP) {
            server.socket().setReuseAddress(true);
        }
        server.bind(bound, backlog);
        server.configureBlocking(false);
        acceptSelector = Selector.open();
        server.register(acceptSelector, SelectionKey.OP_ACCEPT);
    }

    /**
     * Connects to this backend, without accepting, until its listen queue is full: a unix connect
     * then fails at once, a TCP connect stays pending (its SYN is dropped). Returns the connections
     * that got in, to be {@linkplain #drainFillers drained} later; all are closed by {@link #close()}.
     */
    List<SocketChannel> fillListenQueue() throws IOException {
        List<SocketChannel> fillers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            SocketChannel filler = transport == Transport.UNIX ? SocketChannel.open(StandardProtocolFamily.UNIX)
                    : SocketChannel.open();
            owned.add(filler);
            filler.configureBlocking(false);
            boolean in;
            try {
                in = filler.connect(server.getLocalAddress()) || finishesConnecting(filler);
            } catch (IOException full) {
                in = false; // EAGAIN from a full unix listen queue
            }
            if (!in) {
                filler.close();
                return fillers;
            }
            fillers.add(filler);
        }
        throw new AssertionError("the listen queue of " + backlog + " never filled");
    }

    private static boolean finishesConnecting(SocketChannel channel) throws IOException {
        long deadline = System.nanoTime() + Duration.ofMillis(200).toNanos();
        while (System.nanoTime() < deadline) {
            if (channel.finishConnect()) {
                return true;
            }
            sleep(5);
        }
        return false;
    }

    /**
     * Accepts and closes the first connections of the listen queue, the test's own
     * {@code fillers} (the queue is first in, first out), and closes the fillers: the queue has
     * room for the next connect.
     */
    void drainFillers(List<SocketChannel> fillers) throws IOException {
        for (int i = 0; i < fillers.size(); i++) {
            SocketChannel filler = acceptWithin(Duration.ofSeconds(2));
            if (filler == null) {
                throw new AssertionError("only " + i + " of the " + fillers.size() + " queued connections came out");
            }
            accepted.decrementAndGet(); // the test's own, not gatehouse's
            filler.close();
        }
        for (SocketChannel filler : fillers) {
            filler.close();
        }
    }

    /**
     * From now on accepts every connection and answers each request ({@link AutoAnswerer}); the
     * test no longer accepts by itself.
     */
    AutoAnswerer serveEveryRequest(Duration answerDelay) throws IOException {
        answerer = new AutoAnswerer(server, accepted, answerDelay);
        return answerer;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() throws IOException {
        if (answerer != null) {
            answerer.close();
        }
        if (acceptSelector != null) {
            acceptSelector.close();
        }
        if (server != null) {
            server.close();
        }
        for (Closeable closeable : owned) {
            closeable.close();
        }
        if (transport == Transport.UNIX) {
            Files.deleteIfExists(((UnixDomainSocketAddress) address).getPath());
        }
        Files.deleteIfExists(dir);
    }
}
