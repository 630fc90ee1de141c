package io.gatehouse.core;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.fcgi.FcgiRequestParser;
import io.gatehouse.fcgi.FcgiResponseGenerator;
import io.gatehouse.fcgi.ProtocolStatus;

/**
 * A FastCGI backend on a temp unix socket or a loopback port that counts the connections it accepts (and
 * the most open at once) and the requests it answers, and records each request's FCGI_KEEP_CONN flag. Its answer names the
 * connection and the request number on it. With {@code closeAfterEachResponse} it closes every
 * connection after one response despite FCGI_KEEP_CONN, as a backend recycling its process does.
 *
 * <p>Thread-safe; one thread per connection, all joined by {@link #close()}.
 */
final class CountingFcgiBackend implements Closeable {

    private static final int READ_BUFFER = 16 * 1024;
    private static final long JOIN_MILLIS = 5000;

    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<Boolean> keepConnFlags = new CopyOnWriteArrayList<>();
    /** Per request: {@code CONTENT_LENGTH=<param> stdin=<bytes> crc=<CRC32 of them>}. */
    final List<String> bodies = new CopyOnWriteArrayList<>();
    volatile boolean closeAfterEachResponse;
    /** Reads each request whole, counts it, then closes its connection without answering, as a backend that dies. */
    volatile boolean dieAfterReading;
    /** Answers as soon as the params are in, without reading the body, then closes the connection. */
    volatile boolean answerBeforeBody;
    /** A pause before each read of at most 16 KiB: a backend slow to take a large body. */
    volatile long readPauseMillis;
    /** How long each answer takes, so that concurrent requests overlap. */
    volatile long answerDelayMillis;
    /** The most connections open at once. */
    final AtomicInteger peakOpen = new AtomicInteger();

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** A backend on a unix socket ({@code tcp} false) or on a loopback TCP port. */
    CountingFcgiBackend(boolean tcp) throws IOException {
        if (tcp) {
            dir = null;
            socket = null;
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
        } else {
            dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            socket = dir.resolve("count.sock");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        acceptor = new Thread(this::acceptLoop, "counting-fcgi-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's config for this backend. */
    BackendConfig.Builder config() throws IOException {
        return socket != null ? BackendConfig.unix(socket)
                : BackendConfig.tcp("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
    }

    int openConnections() {
        return open.size();
    }

    /** Closes the connections the backend holds open now, as a backend restarting its workers does. */
    /**
     * Closes every connection and waits until their threads have left them: a thread blocked in
     * read() keeps the socket alive in the kernel until it is woken, and a request arriving
     * meanwhile would still be read and counted.
     */
    void closeOpenConnections() throws IOException {
        List<SocketChannel> closing = List.copyOf(open);
        for (SocketChannel channel : closing) {
            channel.close();
        }
        long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
        while (closing.stream().anyMatch(open::contains) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                return;
            }
            int number = connections.incrementAndGet();
            open.add(channel);
            peakOpen.accumulateAndGet(open.size(), Math::max);
            Thread thread = new Thread(() -> serve(channel, number), "counting-fcgi-" + number);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void serve(SocketChannel channel, int connectionNumber) {
        AtomicInteger onThisConnection = new AtomicInteger();
        boolean[] keep = new boolean[1];
        boolean[] ended = new boolean[1];
        String[] contentLength = {""};
        CRC32 stdinCrc = new CRC32();
        long[] stdinBytes = {0};
        FcgiRequestParser parser = new FcgiRequestParser(new FcgiRequestParser.Listener() {
            @Override
            public void onParams(int requestId, Map<String, String> params) {
                contentLength[0] = params.getOrDefault("CONTENT_LENGTH", "");
                if (answerBeforeBody) {
                    try {
                        respond(channel, requestId, "answered before the body on connection " + connectionNumber);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    throw new UncheckedIOException(new IOException("closing without reading the body"));
                }
            }

            @Override
            public void onStdin(int requestId, ByteBuffer content) {
                stdinBytes[0] += content.remaining();
                stdinCrc.update(content);
            }

            @Override
            public void onBeginRequest(int requestId, int role, boolean keepConn) {
                keep[0] = keepConn;
                keepConnFlags.add(keepConn);
            }

            @Override
            public void onEndOfStdin(int requestId) {
                ended[0] = true;
                bodies.add("CONTENT_LENGTH=" + contentLength[0] + " stdin=" + stdinBytes[0] + " crc=" + stdinCrc.getValue());
                stdinCrc.reset();
                stdinBytes[0] = 0;
                // Counted before answering: the test may look as soon as the response is out.
                requests.incrementAndGet();
                if (dieAfterReading) {
                    throw new UncheckedIOException(new IOException("dying after reading the request"));
                }
                try {
                    if (answerDelayMillis > 0) {
                        Thread.sleep(answerDelayMillis);
                    }
                    respond(channel, requestId, "connection " + connectionNumber + " request "
                            + onThisConnection.incrementAndGet());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while answering", e);
                }
            }
        });
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
        try (channel) {
            while (pauseBeforeRead() && channel.read(buffer) >= 0) {
                buffer.flip();
                parser.parse(buffer);
                buffer.compact();
                if (ended[0]) {
                    ended[0] = false;
                    if (!keep[0] || closeAfterEachResponse) {
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the proxy closed the connection, or the test did: the connection ends either way
        } finally {
            open.remove(channel);
        }
    }

    /** Pauses for {@link #readPauseMillis}; true (the loop reads on). */
    private boolean pauseBeforeRead() {
        long pause = readPauseMillis;
        if (pause > 0) {
            LockSupport.parkNanos(pause * 1_000_000);
        }
        return true;
    }

    private static void respond(SocketChannel channel, int requestId, String text) throws IOException {
        ByteBuffer content = ByteBuffer.wrap(("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n" + text)
                .getBytes(StandardCharsets.US_ASCII));
        ByteBuffer out = ByteBuffer.allocate(FcgiResponseGenerator.encodedLength(content.remaining(), false)
                + 3 * FcgiResponseGenerator.CONTROL_RECORD_LENGTH);
        FcgiResponseGenerator.stdout(out, requestId, content, false);
        FcgiResponseGenerator.endOfStdout(out, requestId);
        FcgiResponseGenerator.endRequest(out, requestId, 0, ProtocolStatus.REQUEST_COMPLETE);
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeOpenConnections();
        try {
            acceptor.join(JOIN_MILLIS);
            for (Thread thread : threads) {
                thread.join(JOIN_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (dir != null) {
                Files.deleteIfExists(socket);
                Files.delete(dir);
            }
        }
    }
}
