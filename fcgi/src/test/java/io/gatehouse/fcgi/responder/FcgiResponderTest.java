package io.gatehouse.fcgi.responder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.gatehouse.fcgi.Fcgi;
import io.gatehouse.fcgi.FcgiRequestGenerator;
import io.gatehouse.fcgi.FcgiResponseParser;
import io.gatehouse.fcgi.GetValuesResultParser;
import io.gatehouse.fcgi.ProtocolStatus;
import io.gatehouse.fcgi.RecordHeader;
import io.gatehouse.fcgi.RecordType;
import io.gatehouse.fcgi.Role;
import io.gatehouse.fcgi.responder.Endpoint.Transport;

/** {@link FcgiResponder} over real loopback TCP and unix sockets, driven by the codec's client side. */
@Timeout(60)
class FcgiResponderTest {

    private static final byte[] TEXT_HEADERS = "Content-Type: text/plain\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private long descriptorsBefore;

    /** The JDK opens some descriptors once, lazily (entropy source, a probe socket): open them before counting. */
    @BeforeAll
    static void warmUpLazyJdkDescriptors() throws Exception {
        for (Transport transport : Transport.values()) {
            try (Server server = Server.start(transport, (request, response) -> { });
                    TestClient client = server.connect()) {
                client.begin(1, false, Map.of());
                client.sendBody(1, new byte[0]);
                client.readResponse(1);
            }
        }
    }

    @BeforeEach
    void countDescriptors() throws IOException {
        descriptorsBefore = openDescriptors();
    }

    @AfterEach
    void noResponderThreadOrDescriptorIsLeft() throws Exception {
        List<String> alive = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("fcgi-responder-") && t.isAlive())
                .map(Thread::getName).toList();
        assertEquals(List.of(), alive, "responder threads still running after the test");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long now = openDescriptors();
        while (now > descriptorsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = openDescriptors();
        }
        assertTrue(now <= descriptorsBefore, "descriptors open before " + descriptorsBefore + ", after " + now
                + ": " + describeDescriptors());
    }

    private static String describeDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + "->" + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    return fd.getFileName() + "->?";
                }
            }).toList().toString();
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Starts a responder for {@code app} on a fresh endpoint; closing it closes both. */
    private record Server(Endpoint endpoint, FcgiResponder responder) implements AutoCloseable {
        static Server start(Transport transport, FcgiApplication app) throws IOException {
            Endpoint endpoint = Endpoint.open(transport);
            return new Server(endpoint, new FcgiResponder(app).start(endpoint.server));
        }

        TestClient connect() throws IOException {
            return new TestClient(endpoint.connect());
        }

        @Override
        public void close() throws IOException {
            responder.close();
            endpoint.close();
        }
    }

    private static Map<String, String> params(String uri) {
        return Map.of("REQUEST_METHOD", "POST", "REQUEST_URI", uri);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void echoesAMegabyteBodyWhileItStreams(Transport transport) throws Exception {
        byte[] body = new byte[1024 * 1024];
        new Random(42).nextBytes(body);
        FcgiApplication echo = (request, response) -> {
            response.stdout().write(TEXT_HEADERS);
            request.body().transferTo(response.stdout());
        };
        try (Server server = Server.start(transport, echo); TestClient client = server.connect()) {
            client.begin(1, false, params("/echo"));
            client.sendStdin(1, body, 0, Fcgi.MAX_CONTENT_LENGTH);

            // the first 64 KiB come back before the rest is sent: the body streams and STDOUT is flushed when full
            TestClient.Response response = new TestClient.Response();
            FcgiResponseParser parser = new FcgiResponseParser(1, response);
            client.readStdoutAtLeast(1, Fcgi.MAX_CONTENT_LENGTH, response, parser);
            assertNotNull(response.stdout);
            assertEquals(null, response.status, "the request cannot be complete yet");

            Thread writer = new Thread(() -> {
                try {
                    client.sendStdin(1, body, Fcgi.MAX_CONTENT_LENGTH, body.length);
                    client.send(FcgiRequestGenerator.endOfStdin(1));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "test-body-writer");
            writer.start();
            client.readStdoutAtLeast(1, Integer.MAX_VALUE, response, parser);
            writer.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(writer.isAlive());

            assertEquals(ProtocolStatus.REQUEST_COMPLETE, response.status);
            assertEquals(0, response.appStatus);
            byte[] out = response.stdout.toByteArray();
            assertArrayEquals(TEXT_HEADERS, Arrays.copyOf(out, TEXT_HEADERS.length));
            assertArrayEquals(body, Arrays.copyOfRange(out, TEXT_HEADERS.length, out.length));
            assertTrue(client.atEndOfStream(), "without FCGI_KEEP_CONN the responder closes the connection");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void keepConnServesThreeRequestsOnOneConnection(Transport transport) throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        FcgiApplication app = (request, response) -> {
            threads.add(Thread.currentThread().getName());
            String body = new String(request.body().readAllBytes(), StandardCharsets.ISO_8859_1);
            response.stdout().write(TEXT_HEADERS);
            response.stdout().write((request.requestId() + " " + request.params().get("REQUEST_URI") + " " + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
            response.appStatus(request.requestId() * 10);
        };
        try (Server server = Server.start(transport, app); TestClient client = server.connect()) {
            String[] bodies = {"a", "", "ccc"};
            int[] ids = {1, 2, 1};
            for (int i = 0; i < 3; i++) {
                boolean last = i == 2;
                client.begin(ids[i], !last, params("/r" + i));
                client.sendBody(ids[i], bodies[i].getBytes(StandardCharsets.ISO_8859_1));
                TestClient.Response response = client.readResponse(ids[i]);
                assertEquals("Content-Type: text/plain\r\n\r\n" + ids[i] + " /r" + i + " " + bodies[i],
                        response.stdoutText());
                assertEquals(ids[i] * 10L, response.appStatus);
                assertEquals(ProtocolStatus.REQUEST_COMPLETE, response.status);
            }
            assertTrue(client.atEndOfStream(), "the third request had no FCGI_KEEP_CONN");
            assertEquals(3, threads.size());
            assertEquals(1, threads.stream().distinct().count(), "one connection, one thread: " + threads);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anUnreadBodyIsDrainedBeforeTheNextRequest(Transport transport) throws Exception {
        FcgiApplication ignoresBody = (request, response) -> {
            response.stdout().write(TEXT_HEADERS);
            response.stdout().write(request.params().get("REQUEST_URI").getBytes(StandardCharsets.ISO_8859_1));
        };
        try (Server server = Server.start(transport, ignoresBody); TestClient client = server.connect()) {
            client.begin(1, true, params("/first"));
            Thread writer = new Thread(() -> {
                try {
                    client.sendBody(1, new byte[300_000]);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "test-body-writer");
            writer.start();
            assertEquals("Content-Type: text/plain\r\n\r\n/first", client.readResponse(1).stdoutText());
            writer.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(writer.isAlive());

            client.begin(1, false, params("/second"));
            client.sendBody(1, new byte[0]);
            assertEquals("Content-Type: text/plain\r\n\r\n/second", client.readResponse(1).stdoutText());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void getValuesIsAnswered(Transport transport) throws Exception {
        try (Server server = Server.start(transport, (request, response) -> response.stdout().write(TEXT_HEADERS));
                TestClient client = server.connect()) {
            client.send(FcgiRequestGenerator.getValues(List.of(Fcgi.MAX_CONNS, Fcgi.MAX_REQS, Fcgi.MPXS_CONNS,
                    "FCGI_NOT_A_VALUE")));
            GetValuesResultParser result = client.readGetValuesResult();
            String max = Integer.toString(FcgiResponder.MAX_CONNECTIONS);
            assertEquals(Map.of(Fcgi.MAX_CONNS, max, Fcgi.MAX_REQS, max, Fcgi.MPXS_CONNS, "0"), result.values());

            client.begin(1, false, Map.of());
            client.sendBody(1, new byte[0]);
            assertEquals(ProtocolStatus.REQUEST_COMPLETE, client.readResponse(1).status);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void otherRolesAreAnsweredWithUnknownRole(Transport transport) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Server server = Server.start(transport, (request, response) -> calls.incrementAndGet())) {
            try (TestClient client = server.connect()) {
                // as a web server sends it: BEGIN_REQUEST, PARAMS and the empty STDIN of an authorizer
                client.send(withRole(FcgiRequestGenerator.beginRequest(1, true, params("/auth")), Role.AUTHORIZER),
                        FcgiRequestGenerator.endOfStdin(1));
                TestClient.Response rejected = client.readResponse(1);
                assertEquals(ProtocolStatus.UNKNOWN_ROLE, rejected.status);
                // with FCGI_KEEP_CONN the connection serves the next request
                client.begin(2, false, Map.of());
                client.sendBody(2, new byte[0]);
                assertEquals(ProtocolStatus.REQUEST_COMPLETE, client.readResponse(2).status);
            }
            try (TestClient client = server.connect()) {
                client.send(withRole(FcgiRequestGenerator.beginRequest(7, false, Map.of()), Role.FILTER));
                assertEquals(ProtocolStatus.UNKNOWN_ROLE, client.readResponse(7).status);
                assertTrue(client.atEndOfStream(), "without FCGI_KEEP_CONN the rejected connection is closed");
            }
            assertEquals(1, calls.get(), "the application sees only the responder request");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unknownRecordTypesAreAnsweredWithUnknownType(Transport transport) throws Exception {
        try (Server server = Server.start(transport, (request, response) -> { });
                TestClient client = server.connect()) {
            ByteBuffer unknown = ByteBuffer.allocate(16);
            RecordHeader.write(unknown, RecordType.STDOUT, 0, 3, 5);
            unknown.put(1, (byte) 42);
            client.send(unknown.position(16).flip());
            GetValuesResultParser answer = client.readGetValuesResult();
            assertEquals(42, answer.unknownType());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aSecondRequestOnTheConnectionIsRefusedWithCantMpxConn(Transport transport) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        FcgiApplication app = (request, response) -> {
            entered.countDown();
            response.stdout().write(TEXT_HEADERS);
            response.stdout().write(request.body().readAllBytes());
        };
        try (Server server = Server.start(transport, app); TestClient client = server.connect()) {
            client.begin(1, false, Map.of());
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            client.begin(2, false, Map.of());
            assertEquals(ProtocolStatus.CANT_MPX_CONN, client.readResponse(2).status);
            client.sendBody(1, "still served".getBytes(StandardCharsets.US_ASCII));
            assertEquals("Content-Type: text/plain\r\n\r\nstill served", client.readResponse(1).stdoutText());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void flushSendsStdoutBeforeTheApplicationReturns(Transport transport) throws Exception {
        CountDownLatch clientSawHeaders = new CountDownLatch(1);
        FcgiApplication app = (request, response) -> {
            response.stdout().write(TEXT_HEADERS);
            response.stdout().flush();
            try {
                if (!clientSawHeaders.await(10, TimeUnit.SECONDS)) {
                    response.stdout().write("flush did not send".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            response.stdout().write("done".getBytes(StandardCharsets.US_ASCII));
        };
        try (Server server = Server.start(transport, app); TestClient client = server.connect()) {
            client.begin(1, false, Map.of());
            client.sendBody(1, new byte[0]);
            TestClient.Response response = new TestClient.Response();
            FcgiResponseParser parser = new FcgiResponseParser(1, response);
            client.readStdoutAtLeast(1, TEXT_HEADERS.length, response, parser);
            clientSawHeaders.countDown();
            client.readStdoutAtLeast(1, Integer.MAX_VALUE, response, parser);
            assertEquals("Content-Type: text/plain\r\n\r\ndone", response.stdoutText());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aFailingApplicationGetsA500AndAppStatusOne(Transport transport) throws Exception {
        FcgiApplication app = (request, response) -> {
            if (request.params().get("REQUEST_URI").equals("/partial")) {
                response.stdout().write("Content-Type: text/plain\r\n\r\npartial".getBytes(StandardCharsets.US_ASCII));
            }
            throw new IllegalStateException("boom");
        };
        String log = captureStderr(() -> {
            try (Server server = Server.start(transport, app)) {
                try (TestClient client = server.connect()) {
                    client.begin(1, false, params("/fail"));
                    client.sendBody(1, new byte[0]);
                    TestClient.Response response = client.readResponse(1);
                    assertTrue(response.stdoutText().startsWith("Status: 500 Internal Server Error\r\n"),
                            response.stdoutText());
                    assertEquals(1, response.appStatus);
                    assertEquals("application failed: java.lang.IllegalStateException: boom\n",
                            response.stderrText());
                }
                try (TestClient client = server.connect()) {
                    client.begin(1, false, params("/partial"));
                    client.sendBody(1, new byte[0]);
                    TestClient.Response response = client.readResponse(1);
                    assertEquals("Content-Type: text/plain\r\n\r\npartial", response.stdoutText());
                    assertEquals(1, response.appStatus);
                }
            }
        });
        assertTrue(log.contains("the application failed on request id 1 (/fail):"), log);
        assertTrue(log.contains("java.lang.IllegalStateException: boom"), log);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aClientThatDisconnectsMidBodyOnlyEndsItsConnection(Transport transport) throws Exception {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch failed = new CountDownLatch(1);
        FcgiApplication app = (request, response) -> {
            try {
                request.body().readAllBytes();
            } catch (IOException e) {
                seen.set(e);
                failed.countDown();
                throw e;
            }
            response.stdout().write(TEXT_HEADERS);
        };
        String log = captureStderr(() -> {
            try (Server server = Server.start(transport, app)) {
                try (TestClient client = server.connect()) {
                    client.begin(1, false, params("/upload"));
                    client.sendStdin(1, new byte[100_000], 0, 50_000);
                }
                assertTrue(failed.await(10, TimeUnit.SECONDS), "the application's body read must fail");
                waitForConnectionThreadsToEnd();
                try (TestClient client = server.connect()) {
                    client.begin(1, false, params("/after"));
                    client.sendBody(1, new byte[10]);
                    assertEquals(ProtocolStatus.REQUEST_COMPLETE, client.readResponse(1).status);
                }
            }
        });
        assertTrue(seen.get() instanceof ConnectionLostException, String.valueOf(seen.get()));
        assertEquals("", log, "a hang-up is routine: nothing is logged");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aProtocolErrorDuringTheBodyClosesTheConnectionWithOneLine(Transport transport) throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        FcgiApplication app = (request, response) -> {
            reading.countDown();
            request.body().readAllBytes();
        };
        String log = captureStderr(() -> {
            try (Server server = Server.start(transport, app); TestClient client = server.connect()) {
                client.begin(1, false, params("/broken"));
                assertTrue(reading.await(10, TimeUnit.SECONDS));
                client.send(ByteBuffer.wrap(new byte[] {2, 5, 0, 1, 0, 0, 0, 0}));
                assertTrue(client.atEndOfStream(), "the responder drops a connection that broke the protocol");
                waitForThreads(1);
            }
        });
        assertEquals("gatehouse fcgi responder: protocol error, closing the connection: FastCGI record version 2,"
                + " expected 1 (header bytes 0205000100000000): is the peer speaking FastCGI?\n",
                log.replace(System.lineSeparator(), "\n"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAbortedRequestEndsWithEndRequest(Transport transport) throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        FcgiApplication app = (request, response) -> {
            try {
                request.body().readAllBytes();
            } catch (IOException e) {
                seen.set(e.getMessage());
                throw e;
            }
        };
        try (Server server = Server.start(transport, app); TestClient client = server.connect()) {
            client.begin(3, false, params("/slow"));
            client.sendStdin(3, new byte[1000], 0, 1000);
            client.send(FcgiRequestGenerator.abortRequest(3));
            TestClient.Response response = client.readResponse(3);
            assertEquals(ProtocolStatus.REQUEST_COMPLETE, response.status);
            assertEquals(1, response.appStatus);
            assertEquals("", response.stdoutText());
            assertEquals("request id 3 was aborted by the web server (ABORT_REQUEST)", seen.get());
        }
    }

    @Test
    void closeStopsIdleBusyAndLingeringConnectionsPromptlyAndLeavesNoThread() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        FcgiApplication app = (request, response) -> {
            if (request.params().containsKey("BLOCK")) {
                reading.countDown();
                request.body().readAllBytes();
            }
        };
        try (Endpoint endpoint = Endpoint.open(Transport.UNIX)) {
            FcgiResponder responder = new FcgiResponder(app).start(endpoint.server);
            try (TestClient idle = new TestClient(endpoint.connect());
                    TestClient busy = new TestClient(endpoint.connect());
                    TestClient lingering = new TestClient(endpoint.connect())) {
                // answered without FCGI_KEEP_CONN, but this client does not hang up: the responder waits for it
                lingering.begin(1, false, Map.of());
                lingering.sendBody(1, new byte[0]);
                assertEquals(ProtocolStatus.REQUEST_COMPLETE, lingering.readResponse(1).status);
                busy.begin(1, false, Map.of("BLOCK", "1"));
                assertTrue(reading.await(10, TimeUnit.SECONDS));
                waitForThreads(4);

                long started = System.nanoTime();
                responder.close();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertTrue(tookMillis < 1000, "close took " + tookMillis + " ms");
                assertFalse(endpoint.server.isOpen(), "close() closes the listening channel");
                assertTrue(idle.atEndOfStream());
                assertTrue(busy.atEndOfStream());
                assertTrue(lingering.atEndOfStream());
                responder.close();
            }
        }
    }

    @Test
    void startTwiceIsRefused() throws Exception {
        try (Endpoint endpoint = Endpoint.open(Transport.TCP)) {
            FcgiResponder responder = new FcgiResponder((request, response) -> { });
            responder.start(endpoint.server);
            try {
                responder.start(endpoint.server);
                fail("a second start must be refused");
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage().endsWith(" was already started"), e.getMessage());
            } finally {
                responder.close();
            }
        }
    }

    /** The generator only writes responder requests; the role is the first field after the header. */
    private static ByteBuffer withRole(ByteBuffer beginRequest, Role role) {
        return beginRequest.putShort(Fcgi.HEADER_LENGTH, (short) role.code());
    }

    private static void waitForConnectionThreadsToEnd() throws InterruptedException {
        waitForThreads(1);
    }

    /** Waits (bounded) until exactly {@code expected} responder threads run, the accept thread included. */
    private static void waitForThreads(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long count = -1;
        while (System.nanoTime() < deadline) {
            count = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("fcgi-responder-") && t.isAlive()).count();
            if (count == expected) {
                return;
            }
            Thread.sleep(10);
        }
        fail("expected " + expected + " responder threads, found " + count);
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with System.err captured and returns what was written to it. */
    private static String captureStderr(Body body) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
