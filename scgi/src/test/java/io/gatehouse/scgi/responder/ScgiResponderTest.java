package io.gatehouse.scgi.responder;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.gatehouse.scgi.responder.ResponderTestSupport.awaitNoConnectionThreads;
import static io.gatehouse.scgi.responder.ResponderTestSupport.awaitQuietly;
import static io.gatehouse.scgi.responder.ResponderTestSupport.awaitTrue;
import static io.gatehouse.scgi.responder.ResponderTestSupport.concat;
import static io.gatehouse.scgi.responder.ResponderTestSupport.env;
import static io.gatehouse.scgi.responder.ResponderTestSupport.request;
import static io.gatehouse.scgi.responder.ResponderTestSupport.responderThreads;
import static io.gatehouse.scgi.responder.ResponderTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ScgiResponder} over real TCP and unix sockets, for both protocols. */
class ScgiResponderTest {

    private static final String OK_HEADER = "Status: 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n";

    private Path dir;
    private final List<ScgiResponder> responders = new ArrayList<>();
    private TestClient client;

    static Stream<Arguments> transportsAndProtocols() {
        List<Arguments> all = new ArrayList<>();
        for (Transport transport : Transport.values()) {
            for (ScgiProtocol protocol : ScgiProtocol.values()) {
                all.add(Arguments.of(transport, protocol));
            }
        }
        return all.stream();
    }

    @BeforeEach
    void createTempDir() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ghs");
        client = new TestClient();
    }

    @AfterEach
    void cleanUp() throws Exception {
        responders.forEach(ScgiResponder::close);
        client.close();
        Files.deleteIfExists(dir.resolve("r.sock"));
        Files.delete(dir);
        assertEquals(List.of(), responderThreads(), "threads left after close()");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndProtocols")
    void echoesAOneMegabyteBody(Transport transport, ScgiProtocol protocol) throws Exception {
        byte[] body = new byte[1 << 20];
        new Random(42).nextBytes(body);
        AtomicReference<Map<String, String>> seenEnv = new AtomicReference<>();
        AtomicInteger readAfterEnd = new AtomicInteger(0);
        SocketAddress address = start(transport, protocol, (env, in, out) -> {
            seenEnv.set(env);
            byte[] received = in.readAllBytes();
            readAfterEnd.set(in.read());
            out.write(OK_HEADER.getBytes(StandardCharsets.ISO_8859_1));
            out.write(received);
        });
        Map<String, String> env = env("POST", "/echo", body.length);

        byte[] response = client.exchange(address, request(protocol, env, body));

        byte[] expected = concat(OK_HEADER.getBytes(StandardCharsets.ISO_8859_1), body);
        assertEquals(expected.length, response.length);
        assertArrayEquals(expected, response);
        assertEquals(-1, readAfterEnd.get(), "body must end at CONTENT_LENGTH");
        Map<String, String> expectedEnv = new LinkedHashMap<>(env);
        if (protocol == ScgiProtocol.SCGI) {
            expectedEnv.put("SCGI", "1");
        }
        assertEquals(new ArrayList<>(expectedEnv.entrySet()), new ArrayList<>(seenEnv.get().entrySet()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndProtocols")
    void applicationFailingBeforeCommitIsAnswered500(Transport transport, ScgiProtocol protocol) throws Exception {
        SocketAddress address = start(transport, protocol, (env, in, out) -> {
            out.write("Status: 200 OK\r\n\r\npartial".getBytes(StandardCharsets.ISO_8859_1));
            throw new IOException("database is down");
        });
        String response;
        String log;
        try (StderrCapture stderr = new StderrCapture()) {
            response = text(client.exchange(address, request(protocol, env("GET", "/fail", 0), new byte[0])));
            log = stderr.text();
        }
        assertTrue(response.startsWith("Status: 500 Internal Server Error\r\n"), response);
        assertFalse(response.contains("partial"), response);
        assertTrue(log.startsWith("GH-SCGI-001 application failed on GET /fail:"), log);
        assertTrue(log.contains("database is down"), log);
        assertEquals(1, log.lines().count(), log);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndProtocols")
    void applicationFailingAfterCommitCutsTheResponse(Transport transport, ScgiProtocol protocol) throws Exception {
        String partial = "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst half";
        SocketAddress address = start(transport, protocol, (env, in, out) -> {
            out.write(partial.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            throw new IllegalStateException("bug in the second half");
        });
        String response;
        try (StderrCapture stderr = new StderrCapture()) {
            response = text(client.exchange(address, request(protocol, env("GET", "/cut", 0), new byte[0])));
            assertTrue(stderr.text().contains("(response cut short)"), stderr.text());
        }
        assertEquals(partial, response);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndProtocols")
    void malformedRequestIsAnswered400WithTheReason(Transport transport, ScgiProtocol protocol) throws Exception {
        AtomicBoolean called = new AtomicBoolean();
        SocketAddress address = start(transport, protocol, (env, in, out) -> called.set(true));
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

        String response;
        try (StderrCapture stderr = new StderrCapture()) {
            response = text(client.exchange(address, http));
            assertTrue(stderr.text().startsWith("GH-SCGI-002 malformed " + protocol + " request"), stderr.text());
        }

        assertTrue(response.startsWith("Status: 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n"), response);
        String reason = protocol == ScgiProtocol.SCGI
                ? "SCGI netstring length: byte 0x47 ('G') at offset 0 is not a digit"
                : "uwsgi modifier1 71 is not supported";
        assertTrue(response.contains(reason), response);
        assertFalse(called.get(), "the application must not see a malformed request");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndProtocols")
    void clientLeavingMidRequestEndsItsThreadQuietly(Transport transport, ScgiProtocol protocol) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<IOException> bodyFailure = new AtomicReference<>();
        SocketAddress address = start(transport, protocol, (env, in, out) -> {
            calls.incrementAndGet();
            try {
                in.readAllBytes();
            } catch (IOException e) {
                bodyFailure.set(e);
                throw e;
            }
        });
        byte[] full = request(protocol, env("POST", "/gone", 100), new byte[10]);
        int headerLength = full.length - 10;

        try (StderrCapture stderr = new StderrCapture()) {
            try (SocketChannel channel = TestClient.connect(address)) {
                TestClient.writeFully(channel, Arrays.copyOf(full, headerLength / 2));
            }
            awaitNoConnectionThreads();
            assertEquals(0, calls.get(), "a half header must not reach the application");

            try (SocketChannel channel = TestClient.connect(address)) {
                TestClient.writeFully(channel, full);
                awaitTrue(() -> calls.get() == 1);
            }
            awaitNoConnectionThreads();
            assertInstanceOf(EOFException.class, bodyFailure.get());
            assertTrue(bodyFailure.get().getMessage().contains("after 10 of 100 body bytes"),
                    bodyFailure.get().getMessage());
            assertEquals("", stderr.text(), "a client leaving is not an error to log");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndProtocols")
    void closeEndsIdleAndBlockedConnections(Transport transport, ScgiProtocol protocol) throws Exception {
        CountDownLatch inApplication = new CountDownLatch(1);
        SocketAddress address = start(transport, protocol, (env, in, out) -> {
            inApplication.countDown();
            in.readAllBytes();
        });
        ScgiResponder responder = responders.get(0);
        try (SocketChannel idle = TestClient.connect(address);
                SocketChannel waiting = TestClient.connect(address)) {
            TestClient.writeFully(waiting, request(protocol, env("POST", "/slow", 10), new byte[0]));
            assertTrue(inApplication.await(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            awaitTrue(() -> responderThreads().size() == 3);

            long started = System.nanoTime();
            responder.close();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertEquals(List.of(), responderThreads(), "close() must join every thread");
            assertTrue(tookMillis < 2_000, "close() took " + tookMillis + " ms");
            assertEquals(0, TestClient.readToEof(idle).length);
            assertEquals(0, TestClient.readToEof(waiting).length);
            assertThrows(IOException.class, () -> TestClient.connect(address));
        }
        responder.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndProtocols")
    void servesConcurrentRequestsOnSeparateThreads(Transport transport, ScgiProtocol protocol) throws Exception {
        int clients = 8;
        CountDownLatch allInside = new CountDownLatch(clients);
        SocketAddress address = start(transport, protocol, (env, in, out) -> {
            allInside.countDown();
            boolean together = awaitQuietly(allInside);
            out.write(("Status: 200 OK\r\n\r\n" + env.get("REQUEST_URI") + " together=" + together)
                    .getBytes(StandardCharsets.ISO_8859_1));
        });
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<String>> responses = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                byte[] request = request(protocol, env("GET", "/c" + i, 0), new byte[0]);
                responses.add(pool.submit(() -> text(client.exchange(address, request))));
            }
            for (int i = 0; i < clients; i++) {
                assertEquals("Status: 200 OK\r\n\r\n/c" + i + " together=true",
                        responses.get(i).get(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void startsOnceAndClosesIdempotently() throws IOException {
        ScgiResponder responder = new ScgiResponder(ScgiProtocol.SCGI, (env, in, out) -> { });
        responders.add(responder);
        ServerSocketChannel server = Transport.TCP.bind(dir);
        responder.start(server);
        ServerSocketChannel other = Transport.TCP.bind(dir);
        try {
            assertThrows(IllegalStateException.class, () -> responder.start(other));
            responder.close();
            responder.close();
            assertFalse(server.isOpen());
            assertThrows(IllegalStateException.class, () -> responder.start(other));
        } finally {
            other.close();
        }
    }

    @Test
    void protocolNamesAreThoseOfScgiProtocolSetting() {
        assertEquals(ScgiProtocol.SCGI, ScgiProtocol.fromConfigName("scgi"));
        assertEquals(ScgiProtocol.UWSGI, ScgiProtocol.fromConfigName("UWSGI"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScgiProtocol.fromConfigName("fastcgi"));
        assertEquals("unknown SCGI protocol \"fastcgi\"; expected \"scgi\" or \"uwsgi\"", e.getMessage());
    }

    private SocketAddress start(Transport transport, ScgiProtocol protocol, ScgiApplication app) throws IOException {
        ScgiResponder responder = new ScgiResponder(protocol, app);
        responders.add(responder);
        ServerSocketChannel server = transport.bind(dir);
        responder.start(server);
        return server.getLocalAddress();
    }
}
