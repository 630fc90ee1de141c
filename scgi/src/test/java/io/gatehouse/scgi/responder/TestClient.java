package io.gatehouse.scgi.responder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A minimal SCGI/uwsgi client for tests: writes a request on one thread while reading the
 * response to EOF on another, so large bodies cannot deadlock, and gives up after a timeout.
 */
final class TestClient implements AutoCloseable {

    /** Longest a test waits for one exchange; a healthy one takes milliseconds. */
    static final long TIMEOUT_SECONDS = 20;

    /** Largest response a test reads: bounds memory if a server misbehaves. */
    private static final int MAX_RESPONSE_BYTES = 16 << 20;

    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-client-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    /** Sends {@code request} (header and body) and returns everything the server wrote until EOF. */
    byte[] exchange(SocketAddress address, byte[] request) throws Exception {
        try (SocketChannel channel = connect(address)) {
            Future<?> writer = threads.submit(() -> {
                writeFully(channel, request);
                return null;
            });
            Future<byte[]> reader = threads.submit(() -> readToEof(channel));
            byte[] response = reader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            writer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return response;
        }
    }

    static SocketChannel connect(SocketAddress address) throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            channel.connect(address);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    static void writeFully(SocketChannel channel, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    static byte[] readToEof(SocketChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
            if (out.size() > MAX_RESPONSE_BYTES) {
                throw new IOException("response exceeds " + MAX_RESPONSE_BYTES + " bytes");
            }
        }
        out.write(buffer.array(), 0, buffer.position());
        return out.toByteArray();
    }

    @Override
    public void close() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS), "test client threads did not end");
    }
}
