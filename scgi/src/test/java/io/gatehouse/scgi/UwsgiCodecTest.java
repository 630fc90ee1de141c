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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** uwsgi requests from {@link UwsgiRequestGenerator} read back by {@link UwsgiRequestParser}, and the size limit. */
class UwsgiCodecTest {

    static Stream<Arguments> requests() {
        Map<String, String> typical = new LinkedHashMap<>();
        typical.put("CONTENT_LENGTH", "11");
        typical.put("REQUEST_METHOD", "PUT");
        typical.put("REQUEST_URI", "/u?q=1");
        typical.put("HTTP_HOST", "example.test");

        Map<String, String> emptyAndNul = new LinkedHashMap<>();
        emptyAndNul.put("QUERY_STRING", "");
        emptyAndNul.put("HTTP_X_BINARY", "a\0b\u00ff");
        emptyAndNul.put("CONTENT_LENGTH", "0");

        Map<String, String> noContentLength = new LinkedHashMap<>();
        noContentLength.put("REQUEST_METHOD", "GET");

        return Stream.of(
                Arguments.of("typical", typical, "hello world", 11L),
                Arguments.of("empty value, NUL and 0xff bytes", emptyAndNul, "", 0L),
                Arguments.of("no CONTENT_LENGTH means no body", noContentLength, "", 0L),
                Arguments.of("no vars at all", new LinkedHashMap<String, String>(), "", 0L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void parsesWhatWasGeneratedAtEverySplit(String name, Map<String, String> env, String body, long contentLength)
            throws ScgiException {
        ByteBuffer header = UwsgiRequestGenerator.header(env);
        int headerLength = header.remaining();
        byte[] input = concat(bytes(WireText.text(header)), bytes(body));
        List<Map.Entry<String, String>> expected = new ArrayList<>(env.entrySet());

        Feeder.feedEveryWay(UwsgiRequestParser::new, input, headerLength, (parsed, how) -> {
            assertEquals(expected, new ArrayList<>(parsed.parser().env().entrySet()), how);
            assertEquals(contentLength, parsed.parser().contentLength(), how);
            assertArrayEquals(bytes(body), parsed.body(), how);
        });
    }

    @Test
    void writesTheDocumentedLayout() throws ScgiException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        env.put("A", "");

        byte[] actual = bytes(WireText.text(UwsgiRequestGenerator.header(env)));

        byte[] expected = {
            0, 24, 0, 0,
            14, 0, 'C', 'O', 'N', 'T', 'E', 'N', 'T', '_', 'L', 'E', 'N', 'G', 'T', 'H', 1, 0, '0',
            1, 0, 'A', 0, 0,
        };
        assertArrayEquals(expected, actual);
    }

    @Test
    void varsOfExactlyTheLimitAreAccepted() throws ScgiException {
        // CONTENT_LENGTH=0 takes 2+14+2+1 = 19 bytes, PAD's name 2+3+2 = 7: the value fills the rest
        Map<String, String> env = padded(Uwsgi.MAX_PACKET_SIZE - 19 - 7);
        ByteBuffer header = UwsgiRequestGenerator.header(env);
        assertEquals(Uwsgi.HEADER_LENGTH + Uwsgi.MAX_PACKET_SIZE, header.remaining());
        assertEquals(0xff, header.get(1) & 0xff);
        assertEquals(0xff, header.get(2) & 0xff);

        byte[] input = concat(bytes(WireText.text(header)), bytes("tail"));
        int[] splits = {0, 1, 3, 4, 5, 6, 7, 1000, input.length - 5, input.length - 4, input.length - 1};
        for (int split : splits) {
            Feeder.Parsed parsed = Feeder.feedSplit(UwsgiRequestParser::new, input, split);
            assertEquals(header.remaining(), parsed.headerEnd(), "split at " + split);
            assertEquals(env, parsed.parser().env(), "split at " + split);
            assertArrayEquals(bytes("tail"), parsed.body(), "split at " + split);
        }
    }

    @Test
    void varsOneByteOverTheLimitAreRejected() {
        Map<String, String> env = padded(Uwsgi.MAX_PACKET_SIZE - 19 - 7 + 1);
        ScgiException e = assertThrows(ScgiException.class, () -> UwsgiRequestGenerator.header(env));
        assertEquals("uwsgi datasize 65536 bytes (2 vars) exceeds the limit 65535 (a u16 on the wire):"
                + " request header fields too large", e.getMessage());
    }

    @Test
    void oneHugeValueIsRejectedBeforeItsLengthWouldWrap() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HTTP_COOKIE", "c".repeat(70_000));
        ScgiException e = assertThrows(ScgiException.class, () -> UwsgiRequestGenerator.header(env));
        assertTrue(e.getMessage().startsWith("uwsgi datasize 70015 bytes (1 vars) exceeds the limit 65535"),
                e.getMessage());
    }

    @Test
    void charAboveFfIsRejectedNamingTheVariable() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HTTP_\u0141ODZ", "v");
        ScgiException e = assertThrows(ScgiException.class, () -> UwsgiRequestGenerator.header(env));
        assertTrue(e.getMessage().startsWith("uwsgi variable \"HTTP_\\u0141ODZ\": name has char U+0141 at index 5"),
                e.getMessage());
    }

    @Test
    void emptyNameIsRejected() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("", "v");
        ScgiException e = assertThrows(ScgiException.class, () -> UwsgiRequestGenerator.header(env));
        assertTrue(e.getMessage().startsWith("uwsgi variable name is empty"), e.getMessage());
    }

    private static Map<String, String> padded(int valueLength) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        env.put("PAD", "p".repeat(valueLength));
        return env;
    }
}
