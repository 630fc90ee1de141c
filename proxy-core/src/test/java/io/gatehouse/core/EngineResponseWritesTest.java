package io.gatehouse.core;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.gatehouse.core.EngineFixture.Pool;
import io.gatehouse.core.ScriptedBackend.Transport;
import io.gatehouse.fcgi.FcgiResponseGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a response's body reaches the client, with the backend's writes decided by the test: a
 * response that keeps coming is held up to 64 KiB and goes out whole with its length when it ends
 * within that; a larger one, or one whose backend pauses, streams; the records of one backend
 * read go out as one write (one chunk of a chunked body), not one per record, and a backend's
 * thousands of tiny records arrive whole, in few chunks.
 */
class EngineResponseWritesTest {

    private static final String HEAD = "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n";
    private static final int PIECE = 1000;
    private static final int TINY_RECORDS = 2000;

    /**
     * Larger than one read of the backend (32 KiB), smaller than what is held: the client gets one
     * body with its length, not the chunks of a body streamed read by read.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aResponseThatEndsWithinWhatIsHeldGoesOutWholeWithItsLength(Transport transport) throws Exception {
        String letters = "abcdefghijklmnopqrstuvwxyzABCD";
        int recordSize = 4 * PIECE / 3; // 39,990 bytes in all
        Answer answer = answeredInOneWrite(transport, "/flushed-page", letters, recordSize);
        assertEquals(200, answer.head().status());
        assertTrue(answer.head().text().contains("Content-Length: " + letters.length() * recordSize), answer.head().text());
        assertFalse(answer.head().text().toLowerCase().contains("transfer-encoding"), answer.head().text());
        assertEquals(expectedBody(letters, recordSize), new String(answer.body(), StandardCharsets.ISO_8859_1));
    }

    /** A response larger than what is held streams, chunked, once that much has come; it arrives whole. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aResponseLargerThanWhatIsHeldStreamsWhole(Transport transport) throws Exception {
        String letters = "abcdefghijklmnopqrstuvwxyz".repeat(8);
        Answer answer = answeredInOneWrite(transport, "/large-page", letters, PIECE);
        assertTrue(answer.head().text().toLowerCase().contains("transfer-encoding: chunked"), answer.head().text());
        assertEquals(expectedBody(letters, PIECE), String.join("", chunks(answer.body())));
    }

    private record Answer(RawClient.Head head, byte[] body) {
    }

    /**
     * What the client gets when the backend writes the head, a record of {@code recordSize} bytes
     * per letter and the end in one write; afterwards nothing of the request is left behind.
     */
    private static Answer answeredInOneWrite(Transport transport, String path, String letters, int recordSize)
            throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE)) {
            Answer answer;
            try (RawClient client = fixture.client()) {
                client.sendHead("GET", path, 0);
                try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                    int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                    backend.write(join(ScriptedConnection.stdout(id, HEAD), records(id, letters, recordSize),
                            ScriptedConnection.endOfResponse(id)), EngineFixture.PROMPTLY);
                }
                answer = new Answer(client.readHead(EngineFixture.PROMPTLY), client.readToEnd(EngineFixture.PROMPTLY));
            }
            fixture.assertNothingLeftBehind();
            return answer;
        }
    }

    private static String expectedBody(String letters, int recordSize) {
        return letters.chars().mapToObj(letter -> String.valueOf((char) letter).repeat(recordSize))
                .collect(Collectors.joining());
    }

    /**
     * A client gone while its response is held: the held bytes go out when the backend pauses, a
     * later write fails, and the backend connection and every held read are given back.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aClientGoneWhileItsResponseIsHeldLeavesNothingBehind(Transport transport) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE)) {
            try (ScriptedConnection backend = acceptAfterTheClientLeft(fixture, "/held-for-nobody")) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(join(ScriptedConnection.stdout(id, HEAD), records(id, "abcdefghijklmnopqrstuvwxyz",
                        4 * PIECE / 3)), EngineFixture.PROMPTLY);
                Thread.sleep(100); // the backend pauses: what was held is written, and the client's reset comes back
                backend.writeUntilStalled(ScriptedConnection.stdout(id, new byte[8 * 1024 * 1024]), Duration.ofMillis(300));
                assertTrue(backend.closedByPeerWithin(EngineFixture.CLOSED_PROMPTLY), "the backend connection was kept");
            }
            fixture.assertNothingLeftBehind();
        }
    }

    /** The backend's connection for a request whose client sent it and closed its connection. */
    private static ScriptedConnection acceptAfterTheClientLeft(EngineFixture fixture, String path) throws Exception {
        try (RawClient client = fixture.client()) {
            client.sendHead("GET", path, 0);
            return fixture.backend.accept(EngineFixture.PROMPTLY);
        }
    }

    /**
     * PHP writes a record per flush(); those that arrive in one read go to the client in one chunk.
     * A backend that pauses has what it sent delivered before its response ends.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void recordsOfOneReadGoToTheClientAsOneChunk(Transport transport) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE)) {
            try (RawClient client = fixture.client()) {
                client.sendHead("GET", "/flushed-pieces", 0);
                try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                    int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                    backend.write(ScriptedConnection.stdout(id, HEAD + "a".repeat(PIECE)), EngineFixture.PROMPTLY);
                    assertEquals(200, client.readHead(EngineFixture.PROMPTLY).status());
                    backend.write(records(id, "bcdef", PIECE), EngineFixture.PROMPTLY);
                    client.readAtLeast(5L * PIECE, EngineFixture.PROMPTLY); // out before the response ends
                    backend.write(ScriptedConnection.endOfResponse(id), EngineFixture.PROMPTLY);
                }
                List<String> chunks = chunks(client.readToEnd(EngineFixture.PROMPTLY));
                assertEquals(List.of(PIECE, 5 * PIECE, 0), chunks.stream().map(String::length).toList(), "chunk sizes");
                assertEquals("a".repeat(PIECE) + "b".repeat(PIECE) + "c".repeat(PIECE) + "d".repeat(PIECE)
                        + "e".repeat(PIECE) + "f".repeat(PIECE), String.join("", chunks));
            }
            fixture.assertNothingLeftBehind();
        }
    }

    /** A hostile backend's one-byte records, in the read that starts the response: one body, whole. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void thousandsOfOneByteRecordsWithTheHeadArriveWhole(Transport transport) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE)) {
            try (RawClient client = fixture.client()) {
                client.sendHead("GET", "/tiny-records-first", 0);
                String expected = tinyBody();
                try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                    int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                    ByteBuffer head = ScriptedConnection.stdout(id, HEAD);
                    ByteBuffer tiny = tinyRecords(id, expected);
                    ByteBuffer end = ScriptedConnection.endOfResponse(id);
                    backend.write(ByteBuffer.allocate(head.remaining() + tiny.remaining() + end.remaining())
                            .put(head).put(tiny).put(end).flip(), EngineFixture.PROMPTLY);
                    RawClient.Head response = client.readHead(EngineFixture.PROMPTLY);
                    assertEquals(200, response.status());
                    String body = new String(client.readToEnd(EngineFixture.PROMPTLY), StandardCharsets.ISO_8859_1);
                    String lowerHead = response.text().toLowerCase();
                    assertEquals(expected, lowerHead.contains("transfer-encoding: chunked")
                            ? String.join("", chunks(body.getBytes(StandardCharsets.ISO_8859_1))) : body);
                }
            }
            fixture.assertNothingLeftBehind();
        }
    }

    /** The same records after the head went out: the body arrives whole, gathered into few chunks. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void thousandsOfOneByteRecordsInABodyArriveWholeInFewChunks(Transport transport) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE)) {
            try (RawClient client = fixture.client()) {
                client.sendHead("GET", "/tiny-records-later", 0);
                String expected = tinyBody();
                try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                    int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                    // The head goes out with the first body byte.
                    backend.write(ScriptedConnection.stdout(id, HEAD + expected.charAt(0)), EngineFixture.PROMPTLY);
                    assertEquals(200, client.readHead(EngineFixture.PROMPTLY).status());
                    backend.write(tinyRecords(id, expected.substring(1)), EngineFixture.PROMPTLY);
                    backend.write(ScriptedConnection.endOfResponse(id), EngineFixture.PROMPTLY);
                }
                List<String> chunks = chunks(client.readToEnd(EngineFixture.PROMPTLY));
                assertEquals(expected, String.join("", chunks));
                // One per record would be 2,000; a read's records go out in writes of up to 64.
                assertTrue(chunks.size() <= 4 * TINY_RECORDS / 64, chunks.size() + " chunks");
            }
            fixture.assertNothingLeftBehind();
        }
    }

    /**
     * The end of a chunked body goes out with its last read's bytes; a client too slow to take them
     * at once still gets every byte and the last chunk after them, once.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void theEndOfABodyReachesASlowClientWhole(Transport transport) throws Exception {
        try (EngineFixture fixture = EngineFixture.start(transport, Pool.NONE)) {
            try (RawClient client = RawClient.connect(fixture.port, 4096)) {
                client.sendHead("GET", "/slow-reader", 0);
                String expected;
                try (ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                    int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                    backend.write(ScriptedConnection.stdout(id, HEAD + "<"), EngineFixture.PROMPTLY);
                    assertEquals(200, client.readHead(EngineFixture.PROMPTLY).status());
                    ByteBuffer rest = records(id, "abcdefghijklmnopqrstuvwxy", 4 * PIECE);
                    ByteBuffer end = ScriptedConnection.endOfResponse(id);
                    // gatehouse reads a backend 32 KiB at a time: the rest fills four reads but a few
                    // bytes, so the last read, which ends the body, is nearly a whole one.
                    int lastLength = 4 * 32 * 1024 - 10 - rest.remaining() - end.remaining()
                            - FcgiResponseGenerator.encodedLength(0, false);
                    ByteBuffer last = ScriptedConnection.stdout(id, "z".repeat(lastLength));
                    // Less than the backend socket's buffer: written at once, read as the client takes it.
                    backend.write(ByteBuffer.allocate(rest.remaining() + last.remaining() + end.remaining())
                            .put(rest).put(last).put(end).flip(), EngineFixture.PROMPTLY);
                    expected = "<" + expectedBody("abcdefghijklmnopqrstuvwxy", 4 * PIECE) + "z".repeat(lastLength);
                    while (client.receivedBytes() < expected.length()) {
                        client.readAtLeast(1, EngineFixture.PROMPTLY);
                        Thread.sleep(1); // the client's small buffer fills and gatehouse waits for it
                    }
                }
                assertEquals(expected, String.join("", chunks(client.readToEnd(EngineFixture.PROMPTLY))));
            }
            fixture.assertNothingLeftBehind();
        }
    }

    /** One STDOUT record of {@code length} bytes per letter of {@code letters}, in one buffer. */
    private static ByteBuffer records(int id, String letters, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (char letter : letters.toCharArray()) {
            ByteBuffer record = ScriptedConnection.stdout(id, String.valueOf(letter).repeat(length));
            out.write(record.array(), record.arrayOffset() + record.position(), record.remaining());
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static ByteBuffer join(ByteBuffer... parts) {
        int length = 0;
        for (ByteBuffer part : parts) {
            length += part.remaining();
        }
        ByteBuffer joined = ByteBuffer.allocate(length);
        for (ByteBuffer part : parts) {
            joined.put(part);
        }
        return joined.flip();
    }

    private static String tinyBody() {
        StringBuilder body = new StringBuilder(TINY_RECORDS);
        for (int i = 0; i < TINY_RECORDS; i++) {
            body.append((char) ('a' + i % 26));
        }
        return body.toString();
    }

    /** A STDOUT record per byte of {@code body}. */
    private static ByteBuffer tinyRecords(int id, String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length(); i++) {
            ByteBuffer record = ScriptedConnection.stdout(id, body.substring(i, i + 1));
            out.write(record.array(), record.arrayOffset() + record.position(), record.remaining());
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** The chunks of a chunked body, the last (empty) one included; fails on a malformed body. */
    private static List<String> chunks(byte[] body) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        List<String> chunks = new ArrayList<>();
        int at = 0;
        while (true) {
            int lineEnd = text.indexOf("\r\n", at);
            assertTrue(lineEnd > at, "a chunk size line at " + at + " of " + text);
            int size = Integer.parseInt(text.substring(at, lineEnd), 16);
            int dataStart = lineEnd + 2;
            assertEquals("\r\n", text.substring(dataStart + size, dataStart + size + 2), "the end of a chunk");
            chunks.add(text.substring(dataStart, dataStart + size));
            at = dataStart + size + 2;
            if (size == 0) {
                assertEquals(text.length(), at, "bytes after the last chunk");
                return chunks;
            }
        }
    }
}
