package io.gatehouse.core.internal.cgi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.gatehouse.core.internal.cgi.Feeding.bytes;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Each rule of the CGI response head, fed whole, at every split offset, byte by byte and from direct buffers. */
class CgiResponseParserTest {

    private static Arguments valid(String name, String input, Consumer<Feeding.Outcome> check) {
        return Arguments.of(name, input, check);
    }

    private static List<Map.Entry<String, String>> headers(String... namesAndValues) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            entries.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
        }
        return List.copyOf(entries);
    }

    private static void expect(Feeding.Outcome o, int status, String reason, List<Map.Entry<String, String>> headers,
            String rest) {
        assertEquals(1, o.heads().size(), "number of heads");
        CgiResponseHead head = o.last();
        assertAll(
                () -> assertEquals(status, head.status(), "status"),
                () -> assertEquals(reason, head.reason(), "reason"),
                () -> assertEquals(headers, head.headers(), "headers"),
                () -> assertEquals(rest, o.rest(), "bytes after the head"),
                () -> assertFalse(o.partialAtEnd(), "partial head at end"));
    }

    static Stream<Arguments> validResponses() {
        return Stream.of(
                valid("Status with reason, CRLF", "Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nbody",
                    o -> {
                        expect(o, 404, "Not Found", headers("Content-Type", "text/plain"), "body");
                        assertEquals(-1, o.last().contentLength());
                        assertFalse(o.last().chunked());
                        assertFalse(o.last().closeConnection());
                        assertEquals(0, o.last().droppedLines());
                    }),
                valid("application/javascript is sent as text/javascript, as lighttpd rewrites it",
                    "Content-Type: application/javascript; charset=utf-8\r\ncontent-type: application/javascriptx\r\n"
                            + "Content-Type: Application/JavaScript\r\nContent-Type: application/x-javascript\r\n\r\n",
                    o -> expect(o, 200, null, headers("Content-Type", "text/javascript; charset=utf-8",
                            "content-type", "text/javascriptx", "Content-Type", "Application/JavaScript",
                            "Content-Type", "application/x-javascript"), "")),
                valid("LF line ends", "Content-Type: text/html\nX-A: 1\n\nhello\n",
                    o -> expect(o, 200, null, headers("Content-Type", "text/html", "X-A", "1"), "hello\n")),
                valid("mixed line ends", "X-A: 1\r\nX-B: 2\nX-C: 3\r\n\nrest",
                    o -> expect(o, 200, null, headers("X-A", "1", "X-B", "2", "X-C", "3"), "rest")),
                valid("empty header block, CRLF", "\r\nbody", o -> expect(o, 200, null, headers(), "body")),
                valid("empty header block, LF", "\n", o -> expect(o, 200, null, headers(), "")),
                valid("body starting with a line end stays body", "X: 1\r\n\r\n\r\nbody",
                    o -> expect(o, 200, null, headers("X", "1"), "\r\nbody")),
                valid("NPH status line", "HTTP/1.1 201 Created\r\nX-Id: 7\r\n\r\n{}",
                    o -> expect(o, 201, "Created", headers("X-Id", "7"), "{}")),
                valid("NPH status line without reason", "HTTP/1.0 204\r\n\r\n",
                    o -> expect(o, 204, null, headers(), "")),
                valid("Status without reason", "Status: 500\r\n\r\n", o -> expect(o, 500, null, headers(), "")),
                valid("Status value trimmed, inner spaces kept", "Status:   418   I'm a teapot \t\r\n\r\n",
                    o -> expect(o, 418, "I'm a teapot", headers(), "")),
                valid("status 999 is the top of the range", "Status: 999 Custom\r\n\r\n",
                    o -> expect(o, 999, "Custom", headers(), "")),
                valid("Location without Status is 302, value unchanged", "Location: /new?x=1&y=%20 a\r\n\r\n",
                    o -> expect(o, 302, null, headers("Location", "/new?x=1&y=%20 a"), "")),
                valid("Location with Status keeps the status", "Status: 301 Moved\r\nLocation: http://a/b\r\n\r\n",
                    o -> expect(o, 301, "Moved", headers("Location", "http://a/b"), "")),
                valid("Status after Location still wins", "location: /x\r\nStatus: 303\r\n\r\n",
                    o -> expect(o, 303, null, headers("location", "/x"), "")),
                valid("Content-Length kept once", "Content-Length: 42\r\n\r\n", o -> {
                    expect(o, 200, null, headers("Content-Length", "42"), "");
                    assertEquals(42, o.last().contentLength());
                }),
                valid("duplicate equal Content-Length ignored", "Content-Length: 5\r\ncontent-length:  5 \r\n\r\nhello",
                    o -> {
                        expect(o, 200, null, headers("Content-Length", "5"), "hello");
                        assertEquals(5, o.last().contentLength());
                    }),
                valid("Content-Length 0", "Content-Length: 0\r\n\r\n",
                    o -> assertEquals(0, o.last().contentLength())),
                valid("chunked: Transfer-Encoding and Content-Length removed",
                    "Transfer-Encoding: Chunked\r\nContent-Length: 10\r\nX-A: 1\r\n\r\n5\r\nhello\r\n0\r\n\r\n", o -> {
                        expect(o, 200, null, headers("X-A", "1"), "5\r\nhello\r\n0\r\n\r\n");
                        assertTrue(o.last().chunked());
                        assertEquals(-1, o.last().contentLength());
                    }),
                valid("Connection: close in a list", "Connection: Keep-Alive, Close\r\nKeep-Alive: timeout=5\r\n"
                    + "X-A: 1\r\n\r\n", o -> {
                        expect(o, 200, null, headers("X-A", "1"), "");
                        assertTrue(o.last().closeConnection());
                    }),
                valid("Connection: keep-alive is not close", "Connection: keep-alive, closed\r\n\r\n", o -> {
                    expect(o, 200, null, headers(), "");
                    assertFalse(o.last().closeConnection());
                }),
                valid("hop-by-hop headers not forwarded", "Proxy-Connection: x\r\nUpgrade: websocket\r\nTE: trailers\r\n"
                    + "Trailer: X-Sum\r\nKeep-Alive: 5\r\nX-Upgrade: kept\r\nTEA: kept\r\n\r\n",
                    o -> expect(o, 200, null, headers("X-Upgrade", "kept", "TEA", "kept"), "")),
                valid("Status never forwarded, even repeated", "Status: 200\r\nStatus: 404 Gone\r\n\r\n",
                    o -> expect(o, 404, "Gone", headers(), "")),
                valid("malformed lines after the first are dropped and counted", "X-Good: 1\r\nno colon here\r\n"
                    + "Bad Name: 2\r\n: empty name\r\nX-Ctl: a\u0001b\r\nX-Bare-Cr: a\rb\r\nX-Del: \u007f\r\n"
                    + "HTTP/1.1 500 Late\r\nX-Last: 3\r\n\r\n", o -> {
                        expect(o, 200, null, headers("X-Good", "1", "X-Last", "3"), "");
                        assertEquals(7, o.last().droppedLines());
                    }),
                valid("a malformed first line with ':' is dropped, not fatal", "Bad Name: 1\r\nStatus: 202\r\n\r\n", o -> {
                    expect(o, 202, null, headers(), "");
                    assertEquals(1, o.last().droppedLines());
                }),
                valid("names keep case, values trimmed, obs-text kept", "x-MiXed-CaSe: \t v a l \t\r\nX-Empty:\r\n"
                    + "X-Obs: caf\u00e9\r\nX-Time: 12:30:00\r\n\r\n",
                    o -> expect(o, 200, null, headers("x-MiXed-CaSe", "v a l", "X-Empty", "", "X-Obs", "caf\u00e9",
                        "X-Time", "12:30:00"), "")),
                valid("103 then 200 on one parser", "Status: 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
                    + "Status: 200 OK\r\nContent-Type: text/css\r\n\r\nbody", o -> {
                        assertEquals(2, o.heads().size());
                        CgiResponseHead interim = o.heads().get(0);
                        assertEquals(103, interim.status());
                        assertEquals("Early Hints", interim.reason());
                        assertTrue(interim.interim());
                        assertEquals(headers("Link", "</s.css>; rel=preload"), interim.headers());
                        CgiResponseHead last = o.last();
                        assertEquals(200, last.status());
                        assertFalse(last.interim());
                        assertEquals(headers("Content-Type", "text/css"), last.headers());
                        assertEquals("body", o.rest());
                    }),
                valid("NPH 100 Continue then NPH 200, state reset between heads",
                    "HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nX: 1\r\n\r\n", o -> {
                        assertEquals(List.of(100, 200), o.heads().stream().map(CgiResponseHead::status).toList());
                        assertTrue(o.heads().get(0).closeConnection());
                        assertFalse(o.last().closeConnection());
                        assertEquals("OK", o.last().reason());
                    }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validResponses")
    void validResponseAtEveryLayout(String name, String input, Consumer<Feeding.Outcome> check) throws Exception {
        byte[] data = bytes(input);
        for (Feeding.Layout layout : Feeding.allLayouts(data.length)) {
            Feeding.Outcome outcome = Feeding.parse(data, layout);
            try {
                check.accept(outcome);
            } catch (AssertionError e) {
                throw new AssertionError(name + ", " + layout + ": " + e.getMessage(), e);
            }
        }
    }

    static Stream<Arguments> badResponses() {
        String longValue = "x".repeat(200);
        return Stream.of(
                Arguments.of("<html><body>\r\n\r\n",
                    "first response line is neither a header nor an HTTP status line: \"<html><body>\""),
                Arguments.of("<\u00ff\"x>\n\n",
                    "first response line is neither a header nor an HTTP status line: \"<\\xff\\\"x>\""),
                Arguments.of("HTTP/1.1 099 Low\r\n\r\n", "invalid NPH status line: \"HTTP/1.1 099 Low\""),
                Arguments.of("HTTP/1.1 1000\r\n\r\n", "invalid NPH status line: \"HTTP/1.1 1000\""),
                Arguments.of("HTTP/2 200\r\n\r\n", "invalid NPH status line: \"HTTP/2 200\""),
                Arguments.of("HTTP/1.1 abc\r\n", "invalid NPH status line: \"HTTP/1.1 abc\""),
                Arguments.of("HTTP/1.1\r\n", "invalid NPH status line: \"HTTP/1.1\""),
                Arguments.of("Status: 20\r\n\r\n", "invalid Status header: \"20\""),
                Arguments.of("Status: 2000\r\n", "invalid Status header: \"2000\""),
                Arguments.of("Status: abc\r\n", "invalid Status header: \"abc\""),
                Arguments.of("Status: 099 Low\r\n", "invalid Status header: \"099 Low\""),
                Arguments.of("Status: 200OK\r\n", "invalid Status header: \"200OK\""),
                Arguments.of("Status:\r\n", "invalid Status header: \"\""),
                Arguments.of("Status: " + longValue + "\r\n",
                    "invalid Status header: \"" + "x".repeat(80) + "\"... (200 bytes)"),
                Arguments.of("Content-Length: -1\r\n", "invalid Content-Length: \"-1\""),
                Arguments.of("Content-Length: 12a\r\n", "invalid Content-Length: \"12a\""),
                Arguments.of("Content-Length:  \r\n", "invalid Content-Length: \"\""),
                Arguments.of("Content-Length: +5\r\n", "invalid Content-Length: \"+5\""),
                Arguments.of("Content-Length: 1 2\r\n", "invalid Content-Length: \"1 2\""),
                Arguments.of("Content-Length: 9223372036854775808\r\n",
                    "invalid Content-Length: \"9223372036854775808\""),
                Arguments.of("Content-Length: 5\r\nContent-Length: 6\r\n",
                    "conflicting Content-Length headers: \"5\" and \"6\""),
                Arguments.of("Transfer-Encoding: gzip\r\n",
                    "unsupported Transfer-Encoding (only \"chunked\" is accepted): \"gzip\""),
                Arguments.of("Transfer-Encoding: gzip, chunked\r\n",
                    "unsupported Transfer-Encoding (only \"chunked\" is accepted): \"gzip, chunked\""),
                Arguments.of("Transfer-Encoding: chunked\r\ntransfer-encoding: chunked\r\n",
                    "Transfer-Encoding repeated (chunked applied twice): \"chunked\""));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badResponses")
    void badGatewayAtEveryLayout(String input, String message) {
        byte[] data = bytes(input);
        for (Feeding.Layout layout : Feeding.allLayouts(data.length)) {
            BadGatewayException e = assertThrows(BadGatewayException.class, () -> Feeding.parse(data, layout),
                    layout::toString);
            assertEquals(message, e.getMessage(), layout.toString());
        }
    }

    @Test
    void headBlockOfExactlyTheLimitPassesAndOneMoreByteIsBadGateway() throws Exception {
        byte[] exact = headBlock(CgiResponseParser.MAX_HEAD_BYTES);
        byte[] withBody = bytes(Feeding.text(exact) + "BODY");
        for (Feeding.Layout layout : largeLayouts(withBody.length)) {
            Feeding.Outcome outcome = Feeding.parse(withBody, layout);
            assertEquals(200, outcome.last().status(), layout.toString());
            assertEquals("BODY", outcome.rest(), layout.toString());
        }

        byte[] tooLarge = headBlock(CgiResponseParser.MAX_HEAD_BYTES + 1);
        for (Feeding.Layout layout : largeLayouts(tooLarge.length)) {
            BadGatewayException e = assertThrows(BadGatewayException.class, () -> Feeding.parse(tooLarge, layout));
            assertEquals("response header block too large: more than 65536 bytes (limit MAX_HEAD_BYTES = 65536)",
                    e.getMessage(), layout.toString());
        }
    }

    @Test
    void overlongLineWithoutLineFeedIsBadGatewayBeforeItEnds() {
        byte[] noLineEnd = bytes("X-A: " + "a".repeat(CgiResponseParser.MAX_HEAD_BYTES));
        for (Feeding.Layout layout : largeLayouts(noLineEnd.length)) {
            BadGatewayException e = assertThrows(BadGatewayException.class, () -> Feeding.parse(noLineEnd, layout));
            assertTrue(e.getMessage().startsWith("response header block too large"), e.getMessage());
        }
    }

    @Test
    void manyShortLinesCountTowardsTheLimit() {
        byte[] lines = bytes("X-A: 1\r\n".repeat(CgiResponseParser.MAX_HEAD_BYTES / 8 + 1) + "\r\n");
        assertThrows(BadGatewayException.class, () -> Feeding.parse(lines, new Feeding.Layout("whole", new int[0],
                false)));
    }

    /** A head block of exactly {@code size} bytes: header lines, the last one padded, and the empty line. */
    private static byte[] headBlock(int size) {
        StringBuilder block = new StringBuilder();
        String line = "X-Fill: " + "f".repeat(990) + "\r\n";
        while (block.length() + line.length() + 2 + 12 < size) {
            block.append(line);
        }
        int padding = size - block.length() - 2 - "X-Last: \r\n".length();
        block.append("X-Last: ").append("l".repeat(padding)).append("\r\n\r\n");
        assertEquals(size, block.length());
        return bytes(block.toString());
    }

    /** Every offset is too slow on 64 KiB (quadratic); byte by byte plus a spread of cuts covers the edges. */
    private static List<Feeding.Layout> largeLayouts(int length) {
        Stream<Feeding.Layout> cuts = Stream.of(0, 1, 2, 997, 32_768, length - 5, length - 4, length - 1, length)
                .filter(cut -> cut >= 0 && cut <= length)
                .map(cut -> new Feeding.Layout("split at " + cut, new int[] {cut}, false));
        return Stream.concat(cuts, Stream.of(Feeding.byteByByte(length, false),
                new Feeding.Layout("whole, direct", new int[0], true))).toList();
    }

    @Test
    void interimHeadsAreLimited() throws Exception {
        String interim = "Status: 103\r\nLink: </a>\r\n\r\n";
        byte[] allowed = bytes(interim.repeat(CgiResponseParser.MAX_INTERIM_HEADS) + "Status: 204\r\n\r\n");
        Feeding.Outcome outcome = Feeding.parse(allowed, Feeding.byteByByte(allowed.length, false));
        assertEquals(CgiResponseParser.MAX_INTERIM_HEADS + 1, outcome.heads().size());
        assertEquals(204, outcome.last().status());

        byte[] tooMany = bytes(interim.repeat(CgiResponseParser.MAX_INTERIM_HEADS + 1) + "Status: 204\r\n\r\n");
        BadGatewayException e = assertThrows(BadGatewayException.class,
                () -> Feeding.parse(tooMany, new Feeding.Layout("whole", new int[0], false)));
        assertEquals("too many interim (1xx) response heads: 17 (limit MAX_INTERIM_HEADS = 16)", e.getMessage());
    }

    @Test
    void bodyBytesStayInTheBufferAfterTheHead() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(bytes("Status: 200\r\nX: 1\r\n\r\nBODY\r\n\r\nmore"));
        CgiResponseParser parser = new CgiResponseParser();
        assertTrue(parser.parse(in));
        assertEquals(21, in.position());
        assertEquals("BODY\r\n\r\nmore", Feeding.text(Arrays.copyOfRange(in.array(), 21, in.limit())));
    }

    @Test
    void partialHeadIsReportedUntilTheHeadIsComplete() throws Exception {
        CgiResponseParser parser = new CgiResponseParser();
        assertFalse(parser.hasPartialHead(), "fresh parser");
        assertFalse(parser.parse(ByteBuffer.allocate(0)));
        assertFalse(parser.hasPartialHead(), "after an empty read");
        assertFalse(parser.parse(ByteBuffer.wrap(bytes("Stat"))));
        assertTrue(parser.hasPartialHead(), "inside the first line");
        assertFalse(parser.parse(ByteBuffer.wrap(bytes("us: 103\r\n"))));
        assertTrue(parser.hasPartialHead(), "after a whole line");
        assertTrue(parser.parse(ByteBuffer.wrap(bytes("\r\n"))));
        assertFalse(parser.hasPartialHead(), "interim head complete");
        parser.continueAfterInterim();
        assertFalse(parser.hasPartialHead(), "nothing of the next head yet");
        assertFalse(parser.parse(ByteBuffer.wrap(bytes("\r"))));
        assertTrue(parser.hasPartialHead(), "a lone CR is a partial head");
        assertTrue(parser.parse(ByteBuffer.wrap(bytes("\n"))));
        assertFalse(parser.hasPartialHead(), "final head complete");
        assertEquals(200, parser.head().status());
    }

    @Test
    void misuseFailsLoudly() throws Exception {
        CgiResponseParser parser = new CgiResponseParser();
        assertThrows(IllegalStateException.class, parser::head);
        assertThrows(IllegalStateException.class, parser::continueAfterInterim);
        assertTrue(parser.parse(ByteBuffer.wrap(bytes("Status: 200\r\n\r\n"))));
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> parser.parse(ByteBuffer.wrap(bytes("X: 1\r\n\r\n"))));
        assertTrue(again.getMessage().contains("status 200"), again.getMessage());
        IllegalStateException notInterim = assertThrows(IllegalStateException.class, parser::continueAfterInterim);
        assertTrue(notInterim.getMessage().contains("final"), notInterim.getMessage());
    }

    @Test
    void headLooksUpHeadersIgnoringCase() {
        CgiResponseHead head = new CgiResponseHead(200, null, headers("X-Sendfile", "/a", "x-sendfile", "/b"), -1,
                false, false, 0);
        assertEquals("/a", head.header("x-SENDFILE"));
        assertNull(head.header("Location"));
        assertThrows(UnsupportedOperationException.class, () -> head.headers().add(Map.entry("a", "b")));
    }

    @Test
    void headRejectsImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> new CgiResponseHead(99, null, List.of(), -1, false, false, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new CgiResponseHead(200, null, List.of(), -2, false, false, 0));
    }

    @Test
    void readOnlyBuffersAreParsedToo() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(bytes("Status: 201\r\n\r\nrest")).asReadOnlyBuffer();
        CgiResponseParser parser = new CgiResponseParser();
        if (!parser.parse(in)) {
            fail("head not complete");
        }
        assertEquals(201, parser.head().status());
        assertEquals(4, in.remaining());
    }
}
