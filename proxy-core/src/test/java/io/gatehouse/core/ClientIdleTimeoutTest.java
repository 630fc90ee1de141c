package io.gatehouse.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.gatehouse.conf.ConnectionLimits;
import io.gatehouse.conf.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * lighttpd's client idle limits, each set to 1 s with the others long: a kept-alive connection
 * without a next request ({@code server.max-keep-alive-idle}), a client that stops sending its
 * head or its body ({@code server.max-read-idle}) and one that stops reading its answer
 * ({@code server.max-write-idle}) are closed once the limit passes, and not long before.
 */
class ClientIdleTimeoutTest {

    private static final Duration LIMIT = Duration.ofSeconds(1);
    private static final Duration LONG = Duration.ofSeconds(60);
    /** Closed no sooner than this after the client fell silent (the limit, less timer slack). */
    private static final long EARLIEST_MILLIS = 700;
    /** And no later than this (the limit and a loaded machine's margin). */
    private static final long LATEST_MILLIS = 5000;

    @TempDir
    Path docroot;

    @Test
    void aKeptAliveConnectionWithoutANextRequestIsClosedAfterTheKeepAliveIdle() throws Exception {
        try (ProxyFixture proxy = start(limits(LIMIT, LONG, LONG)); Socket socket = connect(proxy)) {
            send(socket, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
            readHead(socket.getInputStream());
            assertClosedAfterTheLimit(socket);
        }
    }

    @Test
    void aClientThatStopsSendingItsHeadIsClosedAfterTheReadIdle() throws Exception {
        try (ProxyFixture proxy = start(limits(LONG, LIMIT, LONG)); Socket socket = connect(proxy)) {
            send(socket, "GET /missing HTTP/1.1\r\nHost: x\r\n");
            assertClosedAfterTheLimit(socket);
        }
    }

    @Test
    void aClientThatStopsSendingItsBodyIsClosedAfterTheReadIdle() throws Exception {
        // To a backend: the body is read whole before it is contacted (a static file reads none).
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX, b -> b,
                s -> s.connectionLimits(limits(LONG, LIMIT, LONG))); Socket socket = connect(proxy)) {
            send(socket, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nkey=");
            assertClosedAfterTheLimit(socket);
        }
    }

    @Test
    void aClientThatStopsReadingIsCutAfterTheWriteIdle() throws Exception {
        long size = 256L * 1024 * 1024;
        try (RandomAccessFile big = new RandomAccessFile(docroot.resolve("big.bin").toFile(), "rw")) {
            big.setLength(size); // sparse: no disk spent
        }
        java.nio.file.Files.writeString(docroot.resolve("small.txt"), "warm\n");
        try (ProxyFixture proxy = start(limits(LONG, LONG, LIMIT)); Socket socket = connect(proxy)) {
            // The first static file may wait for the native binding to load: not what is timed here.
            assertTrue(proxy.get("/small.txt").statusCode() == 200);
            socket.setReceiveBufferSize(64 * 1024);
            send(socket, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            Thread.sleep(LIMIT.toMillis() + 2000); // reading nothing: the server's writes stall
            long read = 0;
            byte[] buffer = new byte[64 * 1024];
            socket.setSoTimeout((int) LATEST_MILLIS);
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    read += n;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the stalled answer was neither finished nor cut", e);
            } catch (IOException reset) {
                // cut: what should happen
            }
            assertTrue(read < size, "the whole file arrived (" + read + " bytes): the write was never cut");
        }
    }

    private ProxyFixture start(ConnectionLimits limits) throws IOException {
        return ProxyFixture.start(ServerConfig.builder().documentRoot(docroot).connectionLimits(limits));
    }

    private static ConnectionLimits limits(Duration keepAliveIdle, Duration readIdle, Duration writeIdle) {
        return new ConnectionLimits(1000, keepAliveIdle, readIdle, writeIdle, 0, 1024);
    }

    private static Socket connect(ProxyFixture proxy) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", proxy.port), 5000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    private static void readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the answer: " + head);
            }
            head.append((char) b);
        }
        int at = head.indexOf("Content-Length: ");
        if (at >= 0) {
            in.readNBytes(Integer.parseInt(head.substring(at + 16, head.indexOf("\r\n", at))));
        }
    }

    /** The connection closes (EOF or reset) between the earliest and the latest allowed moment. */
    private static void assertClosedAfterTheLimit(Socket socket) throws IOException {
        long silent = System.nanoTime();
        socket.setSoTimeout((int) LATEST_MILLIS);
        try {
            while (socket.getInputStream().read() >= 0) {
                // an answer (408 or the like) before the close is fine
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open " + LATEST_MILLIS + " ms after the client fell silent", e);
        } catch (IOException reset) {
            // closed by a reset
        }
        long millis = (System.nanoTime() - silent) / 1_000_000;
        assertTrue(millis >= EARLIEST_MILLIS, "closed after " + millis + " ms, before the 1 s limit");
    }
}
