package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.gatehouse.scgi.WireText.bytes;
import static io.gatehouse.scgi.WireText.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** SCGI requests from {@link ScgiRequestGenerator} read back by {@link ScgiRequestParser}, fed every way. */
class ScgiRoundTripTest {

    static Stream<Arguments> requests() {
        Map<String, String> typical = new LinkedHashMap<>();
        typical.put("REQUEST_METHOD", "POST");
        typical.put("REQUEST_URI", "/app/form?x=1&y=%20");
        typical.put("CONTENT_LENGTH", "11");
        typical.put("QUERY_STRING", "x=1&y=%20");
        typical.put("HTTP_HOST", "example.test");

        Map<String, String> emptyValues = new LinkedHashMap<>();
        emptyValues.put("CONTENT_LENGTH", "0");
        emptyValues.put("QUERY_STRING", "");
        emptyValues.put("SERVER_SOFTWARE", "");

        Map<String, String> highBytes = new LinkedHashMap<>();
        highBytes.put("CONTENT_LENGTH", "3");
        highBytes.put("HTTP_X_UTF8", "caf\u00c3\u00a9 \u00ff\u0080\u0001");
        highBytes.put("SCGI", "1");
        highBytes.put("HTTP_AFTER_SCGI", "kept in place");

        return Stream.of(
                Arguments.of("typical", typical, "hello world"),
                Arguments.of("empty values", emptyValues, ""),
                Arguments.of("bytes above 0x7f, SCGI given", highBytes, "\u00ff\0,"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void parsesWhatWasGeneratedAtEverySplit(String name, Map<String, String> env, String body) throws ScgiException {
        ByteBuffer header = ScgiRequestGenerator.header(env);
        int headerLength = header.remaining();
        byte[] input = concat(bytes(WireText.text(header)), bytes(body));
        List<Map.Entry<String, String>> expected = expectedOrder(env);

        Feeder.feedEveryWay(ScgiRequestParser::new, input, headerLength, (parsed, how) -> {
            assertEquals(expected, new ArrayList<>(parsed.parser().env().entrySet()), how);
            assertEquals(Long.parseLong(env.get("CONTENT_LENGTH")), parsed.parser().contentLength(), how);
            assertArrayEquals(bytes(body), parsed.body(), how);
        });
    }

    @Test
    void headerExactlyAtTheLimitIsAccepted() throws ScgiException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        // fixed part: CONTENT_LENGTH pair (17) + PAD name and its NULs (5) + SCGI pair (7)
        env.put("PAD", "p".repeat(Scgi.MAX_HEADER_LENGTH - 17 - 5 - 7));
        ByteBuffer header = ScgiRequestGenerator.header(env);
        assertEquals(Scgi.MAX_HEADER_LENGTH + ":", WireText.text(header.duplicate().limit(8)));

        Feeder.Parsed parsed = Feeder.feedWhole(ScgiRequestParser::new, bytes(WireText.text(header)));
        assertEquals(env.get("PAD"), parsed.parser().env().get("PAD"));
        assertEquals(0, parsed.parser().contentLength());
    }

    @Test
    void largeHeaderFedInOddPiecesGrowsTheBuffer() throws ScgiException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "2");
        for (int i = 0; i < 200; i++) {
            env.put("HTTP_X_" + i, "v".repeat(i * 7));
        }
        byte[] header = bytes(WireText.text(ScgiRequestGenerator.header(env)));
        byte[] input = concat(header, bytes("ok"));
        ScgiRequestParser parser = new ScgiRequestParser();
        int offset = 0;
        int piece = 1;
        boolean complete = false;
        while (!complete) {
            int n = Math.min(piece, input.length - offset);
            ByteBuffer in = ByteBuffer.wrap(input, offset, n);
            complete = parser.parse(in);
            offset = in.position();
            piece = piece * 3 + 1;
        }
        assertEquals(header.length, offset);
        assertEquals(201 + 1, parser.env().size());
        assertEquals("v".repeat(199 * 7), parser.env().get("HTTP_X_199"));
    }

    /** CONTENT_LENGTH first, the rest in order, SCGI=1 last unless given. */
    private static List<Map.Entry<String, String>> expectedOrder(Map<String, String> env) {
        Map<String, String> ordered = new LinkedHashMap<>();
        ordered.put("CONTENT_LENGTH", env.get("CONTENT_LENGTH"));
        ordered.putAll(env);
        ordered.putIfAbsent("SCGI", "1");
        return new ArrayList<>(ordered.entrySet());
    }
}
