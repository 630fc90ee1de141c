package io.gatehouse.itest.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a unix socket that accepts a connection, reads the whole FastCGI request (up to
 * the empty STDIN record), answers with bytes that are not FastCGI at all ({@link #GARBAGE}) and
 * closes. Reading the request first matters: closing a unix socket with unread data makes the
 * peer see a reset instead of the answer.
 *
 * <p>One accept thread; {@link #connections()} may be read from any thread. {@link #close}
 * stops the thread, closes every connection and unlinks the socket.
 */
public final class GarbageBackend implements AutoCloseable {

    /** Starts like an HTTP response: the first byte (version 0x48) is no FastCGI version. */
    public static final byte[] GARBAGE = "HTTP/1.0 200 OK\r\nthis is not FastCGI\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_LENGTH = 8;
    private static final int STDIN = 5;
    /** The test requests are small; a request past this is not one of ours: stop reading. */
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<SocketChannel> open = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private GarbageBackend(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "garbage-backend " + socket.getFileName());
        this.acceptor.setDaemon(true);
    }

    /** Binds {@code socket} (which must not exist) and starts answering. */
    public static GarbageBackend start(Path socket) {
        try {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            GarbageBackend backend = new GarbageBackend(socket, server);
            backend.acceptor.start();
            return backend;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socket, e);
        }
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try (SocketChannel channel = server.accept()) {
                connections.incrementAndGet();
                answer(channel);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // The client gave up or the request was not FastCGI: take the next one.
            }
        }
    }

    private void answer(SocketChannel channel) throws IOException {
        synchronized (open) {
            open.add(channel);
        }
        try {
            readRequest(channel);
            ByteBuffer garbage = ByteBuffer.wrap(GARBAGE);
            while (garbage.hasRemaining()) {
                channel.write(garbage);
            }
        } finally {
            synchronized (open) {
                open.remove(channel);
            }
        }
    }

    /** Reads records until the empty STDIN record that ends a FastCGI request. */
    private static void readRequest(SocketChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        int total = 0;
        while (total < MAX_REQUEST_BYTES) {
            header.clear();
            readFully(channel, header);
            int type = header.get(1) & 0xff;
            int contentLength = ((header.get(4) & 0xff) << 8) | (header.get(5) & 0xff);
            int paddingLength = header.get(6) & 0xff;
            readFully(channel, ByteBuffer.allocate(contentLength + paddingLength));
            total += HEADER_LENGTH + contentLength + paddingLength;
            if (type == STDIN && contentLength == 0) {
                return;
            }
        }
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new IOException("peer closed mid-request");
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            synchronized (open) {
                for (SocketChannel channel : open) {
                    channel.close();
                }
            }
            acceptor.join(JOIN_TIMEOUT.toMillis());
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the garbage backend on " + socket, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (acceptor.isAlive()) {
            throw new IllegalStateException(acceptor.getName() + " still running " + JOIN_TIMEOUT + " after close");
        }
    }
}
