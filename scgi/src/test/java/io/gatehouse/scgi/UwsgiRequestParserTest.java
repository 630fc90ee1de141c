package io.gatehouse.scgi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a uwsgi request header can be malformed, each with the message the server gives. */
class UwsgiRequestParserTest {

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("modifier1 not 0", packet(5, 0, vars().pair("A", "1")),
                        "uwsgi modifier1 5 is not supported; expected 0 (a request with CGI vars)"),
                Arguments.of("HTTP instead of uwsgi", "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                        "uwsgi modifier1 71 is not supported; expected 0 (a request with CGI vars)"),
                Arguments.of("modifier2 not 0", packet(0, 1, vars().pair("A", "1")),
                        "uwsgi modifier2 1 is not supported; expected 0"),
                Arguments.of("name runs past datasize", packet(0, 0, vars().length(10).raw("ab")),
                        "uwsgi vars: name of 10 bytes at offset 2 runs past datasize 4"),
                Arguments.of("value runs past datasize", packet(0, 0, vars().string("A").length(9).raw("x")),
                        "uwsgi vars: value of \"A\" of 9 bytes at offset 5 runs past datasize 6"),
                Arguments.of("stray byte after the last var", packet(0, 0, vars().pair("A", "1").raw("z")),
                        "uwsgi vars: name length at offset 6 needs 2 bytes but datasize 7 leaves 1"),
                Arguments.of("name without value length", packet(0, 0, vars().pair("A", "1").string("B")),
                        "uwsgi vars: value length of \"B\" at offset 9 needs 2 bytes but datasize 9 leaves 0"),
                Arguments.of("empty name", packet(0, 0, vars().pair("A", "1").pair("", "x")),
                        "uwsgi vars: variable #2 at offset 6 has an empty name (name length 0)"),
                Arguments.of("duplicate name", packet(0, 0, vars().pair("A", "1").pair("A", "2")),
                        "uwsgi vars: variable \"A\" appears twice; duplicate names are ambiguous"),
                Arguments.of("negative CONTENT_LENGTH", packet(0, 0, vars().pair("CONTENT_LENGTH", "-1")),
                        "uwsgi CONTENT_LENGTH \"-1\" is not a non-negative decimal integer (char at index 0)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsWithAMessageNamingTheProblem(String name, byte[] input, String message) {
        ScgiException whole = assertThrows(ScgiException.class,
                () -> new UwsgiRequestParser().parse(ByteBuffer.wrap(input)));
        assertEquals(message, whole.getMessage());

        UwsgiRequestParser parser = new UwsgiRequestParser();
        ScgiException byteByByte = assertThrows(ScgiException.class, () -> {
            for (byte b : input) {
                parser.parse(ByteBuffer.wrap(new byte[] {b}));
            }
        });
        assertEquals(message, byteByByte.getMessage());
        assertSame(byteByByte, assertThrows(ScgiException.class, () -> parser.parse(ByteBuffer.allocate(1))));
    }

    @Test
    void stopsAtTheDatasizeAndLeavesTheBody() throws ScgiException {
        byte[] header = packet(0, 0, vars().pair("CONTENT_LENGTH", "3"));
        byte[] input = WireText.concat(header, "abcEXTRA".getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer in = ByteBuffer.wrap(input);
        UwsgiRequestParser parser = new UwsgiRequestParser();
        assertTrue(parser.parse(in));
        assertEquals(header.length, in.position());
        assertEquals(3, parser.contentLength());
    }

    @Test
    void envIsUnavailableUntilTheHeaderIsComplete() throws ScgiException {
        UwsgiRequestParser parser = new UwsgiRequestParser();
        assertFalse(parser.parse(ByteBuffer.wrap(packet(0, 0, vars().pair("A", "1")), 0, 5)));
        assertThrows(IllegalStateException.class, parser::env);
        assertThrows(IllegalStateException.class, parser::contentLength);
    }

    private static byte[] packet(int modifier1, int modifier2, Vars vars) {
        byte[] body = vars.out.toByteArray();
        byte[] out = new byte[4 + body.length];
        out[0] = (byte) modifier1;
        out[1] = (byte) body.length;
        out[2] = (byte) (body.length >> 8);
        out[3] = (byte) modifier2;
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    private static Vars vars() {
        return new Vars();
    }

    /** Hand-built vars, including broken ones the generator would never write. */
    private static final class Vars {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Vars length(int n) {
            out.write(n & 0xff);
            out.write(n >> 8);
            return this;
        }

        Vars raw(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        Vars string(String s) {
            return length(s.length()).raw(s);
        }

        Vars pair(String name, String value) {
            return string(name).string(value);
        }
    }
}
