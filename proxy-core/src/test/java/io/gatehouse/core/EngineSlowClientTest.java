package io.gatehouse.core;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.gatehouse.core.EngineFixture.Pool;
import io.gatehouse.core.ScriptedBackend.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client slower than its backend: the response it has not taken yet is spooled, so that the
 * backend sends it whole and is free for the next request (a client that read nothing held its
 * backend connection, and the backend's worker, until {@code server.max-write-idle}); the client
 * still gets every byte in order, and nothing is left behind however it ends.
 */
class EngineSlowClientTest {

    private static final int RESPONSE_BYTES = 16 * 1024 * 1024;

    static Stream<Arguments> transportsAndPools() {
        return EngineBackendGoneTest.transportsAndPools();
    }

    /** Bytes that tell where they are: a byte out of order or lost shows. */
    private static byte[] numbered(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i % 251);
        }
        return bytes;
    }

    private static void assertNumbered(byte[] body, int length) {
        assertEquals(length, body.length, "body length");
        for (int i = 0; i < length; i++) {
            if (body[i] != (byte) (i % 251)) {
                throw new AssertionError("byte " + i + " of the body is wrong");
            }
        }
    }

    /** Starts a request from a client with a small receive buffer, which reads nothing yet. */
    private static RawClient slowClientAsking(EngineFixture fixture) throws Exception {
        return RawClient.connect(fixture.port, 64 * 1024).sendHead("GET", "/large", 0);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aClientThatReadsNothingLetsTheBackendSendItsWholeResponseAndThenGetsEveryByte(Transport transport, Pool pool)
            throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, pool);
             RawClient client = slowClientAsking(fixture)) {
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\nContent-Length: " + RESPONSE_BYTES
                        + "\r\n\r\n"), EngineFixture.PROMPTLY);
                ByteBuffer body = ScriptedConnection.stdout(id, numbered(RESPONSE_BYTES));
                backend.writeUntilStalled(body, Duration.ofSeconds(2));
                assertFalse(body.hasRemaining(), "the client read nothing, and the backend could not send its"
                        + " response: " + body.remaining() + " bytes left");
                backend.write(ScriptedConnection.endOfResponse(id), EngineFixture.PROMPTLY);
                assertTrue(EngineFixture.waitFor(EngineFixture.SETTLE, () -> fixture.totalLoad() == 0),
                        "the request still holds its backend host while its client has not read");
            }
            assertNumbered(client.readToEnd(Duration.ofSeconds(20)), RESPONSE_BYTES);
            client.close();
            fixture.assertNothingLeftBehind();
            fixture.assertAFollowingBurstIsServed();
        }
    }

    /** A chunked response (no length from the backend) read slowly: every byte, in order. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aChunkedResponseReadSlowlyArrivesWhole(Transport transport) throws Exception {
        int length = 6 * 1024 * 1024;
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE);
             RawClient client = slowClientAsking(fixture);
             ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
            int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
            backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\n\r\n"), EngineFixture.PROMPTLY);
            byte[] numbered = numbered(length);
            // In pieces with pauses, so that spooling starts and stops while the client reads on.
            for (int at = 0; at < length; at += length / 8) {
                byte[] piece = Arrays.copyOfRange(numbered, at, Math.min(length, at + length / 8));
                backend.write(ScriptedConnection.stdout(id, piece), Duration.ofSeconds(10));
                Thread.sleep(50);
                client.readAtLeast(1, Duration.ofSeconds(10));
            }
            backend.write(ScriptedConnection.endOfResponse(id), EngineFixture.PROMPTLY);
            assertNumbered(dechunk(client.readToEnd(Duration.ofSeconds(20))), length);
        }
    }

    /**
     * A backend that dies after its response was spooled: the slow client still gets every byte
     * the backend sent, then the connection is cut, as a client that had read in time would have.
     * (The spooled bytes were thrown away, and the client got only what the socket buffers held.)
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aBackendThatDiesAfterItsResponseWasSpooledStillDeliversWhatItSent(Transport transport) throws Exception {
        int sent = 8 * 1024 * 1024;
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE);
             RawClient client = slowClientAsking(fixture)) {
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\nContent-Length: " + 2 * sent
                        + "\r\n\r\n"), EngineFixture.PROMPTLY);
                backend.write(ScriptedConnection.stdout(id, numbered(sent)), Duration.ofSeconds(10));
                Thread.sleep(300); // taken into the spool
            } // the backend dies before the rest
            assertNumbered(client.readToEnd(Duration.ofSeconds(20)), sent);
            client.close();
            fixture.assertNothingLeftBehind();
        }
    }

    /** A client that leaves while its response waits in the spool file: the file is closed. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndPools")
    void aClientThatLeavesWithItsResponseSpooledLeavesNoFileOpen(Transport transport, Pool pool) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, pool)) {
            try (RawClient client = slowClientAsking(fixture);
                 ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\n\r\n"), EngineFixture.PROMPTLY);
                backend.write(ScriptedConnection.stdout(id, new byte[RESPONSE_BYTES]), Duration.ofSeconds(10));
                backend.write(ScriptedConnection.endOfResponse(id), EngineFixture.PROMPTLY);
                client.readHead(EngineFixture.PROMPTLY);
            }
            fixture.assertNothingLeftBehind(); // its descriptors: the spool file's among them
            fixture.assertAFollowingBurstIsServed();
        }
    }

    /**
     * No directory of {@code server.upload-dirs} takes a spool file: the backend waits for the
     * client, as it did before responses were spooled, the error log says why, and the client
     * still gets every byte.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void withoutASpoolFileTheBackendWaitsForTheClient(Transport transport) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE)) {
            Path uploads = fixture.uploads;
            Files.delete(uploads);
            Files.writeString(uploads, "a file where the directory was"); // no file can be made in it, even by root
            try (RawClient client = slowClientAsking(fixture);
                 ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\nContent-Length: " + RESPONSE_BYTES
                        + "\r\n\r\n"), EngineFixture.PROMPTLY);
                ByteBuffer body = ScriptedConnection.stdout(id, numbered(RESPONSE_BYTES));
                backend.writeUntilStalled(body, Duration.ofMillis(500));
                assertTrue(body.hasRemaining(), "gatehouse took the whole response without a spool file");
                assertTrue(fixture.errorLogText().contains("GH-UPLOAD-002"), fixture.errorLogText());
                Thread reader = new Thread(() -> {
                    try {
                        assertNumbered(client.readToEnd(Duration.ofSeconds(20)), RESPONSE_BYTES);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                reader.start();
                backend.write(body, Duration.ofSeconds(20));
                backend.write(ScriptedConnection.endOfResponse(id), EngineFixture.PROMPTLY);
                reader.join(20_000);
                assertFalse(reader.isAlive(), "the client did not get the whole response");
            } finally {
                Files.delete(uploads);
                Files.createDirectory(uploads);
            }
            fixture.assertNothingLeftBehind();
        }
    }

    /**
     * The server's bound on what spooled responses hold together: one response kept up to 64 MiB,
     * so as many slow clients as the server takes could each fill that much of the disk. Here the
     * bound is 4 MiB and two slow clients ask for 16 MiB each: the first's response is spooled up
     * to the bound, the second's not at all (both backends wait), the error log says why, and
     * once the clients read, each gets every byte and the count goes back to 0.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void spooledResponsesTogetherKeepToTheServersBound(Transport transport) throws Exception {
        long bound = 4 * 1024 * 1024;
        long slack = 2 * 64 * 1024; // a read's append past the bound, for each of the two
        EngineOptions engine = EngineOptions.defaults().withResponseSpoolBytes(bound);
        ExecutorService sides = Executors.newFixedThreadPool(4);
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE, engine);
             RawClient first = slowClientAsking(fixture);
             ScriptedConnection firstBackend = fixture.backend.accept(EngineFixture.PROMPTLY);
             RawClient second = slowClientAsking(fixture);
             ScriptedConnection secondBackend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
            Unsent firstBody = startLargeResponse(firstBackend);
            assertTrue(firstBody.rest().hasRemaining(), "the whole first response was taken past the bound");
            long spooled = fixture.gatehouse.spooledResponseBytes();
            assertTrue(spooled >= bound && spooled <= bound + slack, "spooled " + spooled);
            Unsent secondBody = startLargeResponse(secondBackend);
            assertTrue(secondBody.rest().hasRemaining(), "the whole second response was taken past the bound");
            assertTrue(fixture.gatehouse.spooledResponseBytes() <= bound + slack,
                    "spooled " + fixture.gatehouse.spooledResponseBytes());
            assertTrue(fixture.errorLogText().contains("GH-UPLOAD-003"), fixture.errorLogText());
            List<Future<byte[]>> bodies = List.of(sides.submit(() -> first.readToEnd(Duration.ofSeconds(30))),
                    sides.submit(() -> second.readToEnd(Duration.ofSeconds(30))));
            List<Future<?>> rests = List.of(sides.submit(() -> finish(firstBackend, firstBody)),
                    sides.submit(() -> finish(secondBackend, secondBody)));
            for (Future<?> rest : rests) {
                rest.get(30, TimeUnit.SECONDS);
            }
            for (Future<byte[]> body : bodies) {
                assertNumbered(body.get(30, TimeUnit.SECONDS), RESPONSE_BYTES);
            }
            for (Closeable side : List.of(first, second, firstBackend, secondBackend)) {
                side.close(); // the test's own descriptors, before gatehouse's are counted
            }
            fixture.assertNothingLeftBehind(); // the count of spooled bytes among it
        } finally {
            sides.shutdownNow();
        }
    }

    /** A bound of 0 spools nothing: the backend waits for the client, as without a spool. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aBoundOfNothingSpoolsNothing(Transport transport) throws Exception {
        EngineOptions engine = EngineOptions.defaults().withResponseSpoolBytes(0);
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE, engine);
             RawClient client = slowClientAsking(fixture)) {
            try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                Unsent response = startLargeResponse(backend);
                assertTrue(response.rest().hasRemaining(), "gatehouse took the whole response with no room to spool it");
                assertTrue(fixture.spoolFiles().isEmpty(), "spool files " + fixture.spoolFiles());
                Future<byte[]> body = reader.submit(() -> client.readToEnd(Duration.ofSeconds(30)));
                finish(backend, response);
                assertNumbered(body.get(30, TimeUnit.SECONDS), RESPONSE_BYTES);
            }
            client.close();
            fixture.assertNothingLeftBehind();
        } finally {
            reader.shutdownNow();
        }
    }

    /** What a backend has still to send of the response to request {@code id}. */
    private record Unsent(int id, ByteBuffer rest) {
    }

    /** Sends the head of a numbered {@link #RESPONSE_BYTES} response and its body until gatehouse takes no more. */
    private static Unsent startLargeResponse(ScriptedConnection backend) throws Exception {
        int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
        backend.write(ScriptedConnection.stdout(id, "Status: 200 OK\r\nContent-Length: " + RESPONSE_BYTES
                + "\r\n\r\n"), EngineFixture.PROMPTLY);
        ByteBuffer body = ScriptedConnection.stdout(id, numbered(RESPONSE_BYTES));
        backend.writeUntilStalled(body, Duration.ofSeconds(1));
        return new Unsent(id, body);
    }

    private static Void finish(ScriptedConnection backend, Unsent response) throws Exception {
        backend.write(response.rest(), Duration.ofSeconds(30));
        backend.write(ScriptedConnection.endOfResponse(response.id()), EngineFixture.PROMPTLY);
        return null;
    }

    /** The data of a chunked body, its chunk sizes and the last chunk taken away. */
    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOfCrlf(chunked, at);
            int size = Integer.parseInt(new String(chunked, at, lineEnd - at, StandardCharsets.US_ASCII)
                    .split(";")[0].trim(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                return data.toByteArray();
            }
            data.write(chunked, at, size);
            at += size + 2;
        }
    }

    private static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new AssertionError("no chunk size line at " + from);
    }
}
