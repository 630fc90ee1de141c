package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What is particular to body-less requests, which are proxied on the client connection's I/O
 * thread: a client slower than the backend (the backend is read only as fast as the client takes
 * the bytes), a client that leaves in the middle of a response, and many requests waiting for a
 * busy backend (they hold no read buffer).
 */
class IoThreadGatewayTest {

    private static final int RESPONSE_BYTES = 6 * 1024 * 1024;

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void aSlowClientGetsEveryByteInOrder(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind);
                Socket socket = connect(proxy.port)) {
            send(socket, "GET /download?bytes=" + RESPONSE_BYTES + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            InputStream in = socket.getInputStream();
            skipHead(in);
            byte[] chunk = new byte[16 * 1024];
            long received = 0;
            int slowReads = 0;
            int n;
            while ((n = in.read(chunk)) > 0) {
                for (int i = 0; i < n; i++) {
                    long at = received + i;
                    if (chunk[i] != (byte) ((at % (251 * 64)) % 251)) {
                        throw new AssertionError("byte " + at + " is wrong");
                    }
                }
                received += n;
                if (received < 2 * 1024 * 1024) {
                    // The first 2 MiB trickle in: the proxy's socket buffers fill and it must wait for us.
                    Thread.sleep(2);
                    slowReads++;
                }
            }
            assertEquals(RESPONSE_BYTES, received);
            assertTrue(slowReads > 50, "the client read slowly " + slowReads + " times");
            assertEquals(0, loadOf(proxy), "the request left its backend host");
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void aClientLeavingMidResponseFreesTheBackendSide(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            try (Socket socket = connect(proxy.port)) {
                send(socket, "GET /download?bytes=" + RESPONSE_BYTES + " HTTP/1.1\r\nHost: t\r\n\r\n");
                InputStream in = socket.getInputStream();
                skipHead(in);
                in.readNBytes(64 * 1024);
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (loadOf(proxy) != 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, loadOf(proxy), "the abandoned request still counts against its host");
            assertEquals(200, proxy.get("/status?code=200").statusCode(), "the proxy still serves");
        }
    }

    @Test
    void requestsWaitingForABusyBackendHoldNoReadBuffer() throws Exception {
        int requests = 64;
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX)) {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                answers.add(proxy.client.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.port + "/slow?ms=1500")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (loadOf(proxy) < requests && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(requests, loadOf(proxy), "every request reached the backend and waits for it");
            int most = 0;
            for (int look = 0; look < 20; look++) {
                most = Math.max(most, proxy.server.readBuffersInUse());
                Thread.sleep(10);
            }
            // Only a read in progress holds one: at most one per I/O thread.
            assertTrue(most <= 2, requests + " waiting requests hold " + most + " read buffers");
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                assertEquals("slow done", answer.get(10, TimeUnit.SECONDS).body());
            }
            // A response can reach the client just before its read gives the buffer back.
            long settle = System.nanoTime() + 2_000_000_000L;
            while (proxy.server.readBuffersInUse() != 0 && System.nanoTime() < settle) {
                Thread.sleep(10);
            }
            assertEquals(0, proxy.server.readBuffersInUse(), "every read gave its buffer back");
        }
    }

    private static int loadOf(ProxyFixture proxy) {
        return proxy.server.backends().stream().mapToInt(Gatehouse.BackendStatus::load).sum();
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(15_000);
        // A small receive buffer, so a slow reader pushes back on the proxy soon.
        socket.setReceiveBufferSize(16 * 1024);
        return socket;
    }

    private static void send(Socket socket, String head) throws IOException {
        socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads up to and including the blank line that ends the response head; asserts a 200. */
    private static void skipHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("response ended inside its head: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
    }
}
