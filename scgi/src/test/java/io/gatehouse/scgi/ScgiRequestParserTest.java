package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.gatehouse.scgi.WireText.bytes;
import static io.gatehouse.scgi.WireText.netstring;
import static io.gatehouse.scgi.WireText.nulTerminated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way an SCGI request header can be malformed, each with the message the server gives. */
class ScgiRequestParserTest {

    private static final String VALID_TAIL = nulTerminated("SCGI", "1");

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("empty length", ":" + nulTerminated("CONTENT_LENGTH", "0") + ",",
                        "SCGI netstring length is empty: a request starts with <decimal length>:"
                                + " but the first byte is ':'"),
                Arguments.of("HTTP instead of SCGI", "GET / HTTP/1.1\r\n\r\n",
                        "SCGI netstring length: byte 0x47 ('G') at offset 0 is not a digit or ':';"
                                + " a request starts with <decimal length>:"),
                Arguments.of("sign in length", "+24:",
                        "SCGI netstring length: byte 0x2b ('+') at offset 0 is not a digit or ':';"
                                + " a request starts with <decimal length>:"),
                Arguments.of("control byte in length", "2\n4:",
                        "SCGI netstring length: byte 0x0a at offset 1 is not a digit or ':';"
                                + " a request starts with <decimal length>:"),
                Arguments.of("leading zero", "024:" + nulTerminated("CONTENT_LENGTH", "0") + VALID_TAIL + ",",
                        "SCGI netstring length \"02...\" has a leading zero; only \"0\" itself may start with 0"),
                Arguments.of("length one over the limit", (Scgi.MAX_HEADER_LENGTH + 1) + ":",
                        "SCGI netstring length 1048577 exceeds the limit 1048576 (Scgi.MAX_HEADER_LENGTH)"),
                Arguments.of("length far over the limit, no colon yet", "99999999999999999999",
                        "SCGI netstring length 9999999 exceeds the limit 1048576 (Scgi.MAX_HEADER_LENGTH)"),
                Arguments.of("no comma", netstringWithEnd(nulTerminated("CONTENT_LENGTH", "0") + VALID_TAIL, ';'),
                        "SCGI netstring of length 24 does not end with ',': found byte 0x3b (';') at offset 27"),
                Arguments.of("length too short for the content",
                        "23:" + nulTerminated("CONTENT_LENGTH", "0") + VALID_TAIL + ",",
                        "SCGI netstring of length 23 does not end with ',': found byte 0x00 at offset 26"),
                Arguments.of("empty header", "0:,",
                        "SCGI header is empty (netstring length 0); expected CONTENT_LENGTH as the first variable"),
                Arguments.of("last string not NUL-terminated",
                        netstring(nulTerminated("CONTENT_LENGTH", "0", "SCGI") + "1"),
                        "SCGI header: last string \"1\" is not NUL-terminated"),
                Arguments.of("odd number of strings", netstring(nulTerminated("CONTENT_LENGTH", "0", "SCGI")),
                        "SCGI header: variable \"SCGI\" has no value (odd number of NUL-terminated strings)"),
                Arguments.of("empty name", netstring(nulTerminated("CONTENT_LENGTH", "0", "", "x") + VALID_TAIL),
                        "SCGI header: variable #2 at offset 17 has an empty name"),
                Arguments.of("CONTENT_LENGTH not first", netstring(VALID_TAIL + nulTerminated("CONTENT_LENGTH", "0")),
                        "SCGI header: first variable is \"SCGI\", expected CONTENT_LENGTH (SCGI requires it first)"),
                Arguments.of("CONTENT_LENGTH only later, lower case first",
                        netstring(nulTerminated("content_length", "0", "CONTENT_LENGTH", "0") + VALID_TAIL),
                        "SCGI header: first variable is \"content_length\", expected CONTENT_LENGTH"
                                + " (SCGI requires it first)"),
                Arguments.of("negative CONTENT_LENGTH", netstring(nulTerminated("CONTENT_LENGTH", "-5") + VALID_TAIL),
                        "SCGI CONTENT_LENGTH \"-5\" is not a non-negative decimal integer (char at index 0)"),
                Arguments.of("empty CONTENT_LENGTH", netstring(nulTerminated("CONTENT_LENGTH", "") + VALID_TAIL),
                        "SCGI CONTENT_LENGTH is empty; expected a non-negative decimal integer"),
                Arguments.of("CONTENT_LENGTH with junk", netstring(nulTerminated("CONTENT_LENGTH", "12a") + VALID_TAIL),
                        "SCGI CONTENT_LENGTH \"12a\" is not a non-negative decimal integer (char at index 2)"),
                Arguments.of("CONTENT_LENGTH past a long",
                        netstring(nulTerminated("CONTENT_LENGTH", "9223372036854775808") + VALID_TAIL),
                        "SCGI CONTENT_LENGTH \"9223372036854775808\" exceeds the limit 9223372036854775807"),
                Arguments.of("SCGI missing", netstring(nulTerminated("CONTENT_LENGTH", "0", "HTTP_HOST", "h")),
                        "SCGI header has no SCGI variable; expected SCGI=\"1\""),
                Arguments.of("SCGI not 1", netstring(nulTerminated("CONTENT_LENGTH", "0", "SCGI", "2")),
                        "SCGI header: SCGI is \"2\", expected \"1\""),
                Arguments.of("duplicate name",
                        netstring(nulTerminated("CONTENT_LENGTH", "0", "A", "1", "A", "2") + VALID_TAIL),
                        "SCGI header: variable \"A\" appears twice; SCGI forbids duplicate names"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsWithAMessageNamingTheProblem(String name, String input, String message) {
        ScgiException whole = assertThrows(ScgiException.class,
                () -> new ScgiRequestParser().parse(ByteBuffer.wrap(bytes(input))));
        assertEquals(message, whole.getMessage());

        ScgiRequestParser parser = new ScgiRequestParser();
        ScgiException byteByByte = assertThrows(ScgiException.class, () -> {
            for (byte b : bytes(input)) {
                parser.parse(ByteBuffer.wrap(new byte[] {b}));
            }
        });
        assertEquals(message, byteByByte.getMessage());
        ScgiException again = assertThrows(ScgiException.class, () -> parser.parse(ByteBuffer.wrap(bytes("1"))));
        assertSame(byteByByte, again, "a failed parser stays failed");
    }

    @Test
    void oversizedLengthIsRejectedBeforeTheColonArrives() throws ScgiException {
        ScgiRequestParser parser = new ScgiRequestParser();
        assertFalse(parser.parse(ByteBuffer.wrap(bytes("104857"))));
        assertThrows(ScgiException.class, () -> parser.parse(ByteBuffer.wrap(bytes("7"))));
    }

    @Test
    void netstringLengthZeroAloneIsNotALeadingZero() {
        ScgiException e = assertThrows(ScgiException.class,
                () -> new ScgiRequestParser().parse(ByteBuffer.wrap(bytes("0:,"))));
        assertTrue(e.getMessage().startsWith("SCGI header is empty"), e.getMessage());
    }

    @Test
    void envIsUnavailableUntilTheHeaderIsComplete() throws ScgiException {
        ScgiRequestParser parser = new ScgiRequestParser();
        assertFalse(parser.parse(ByteBuffer.wrap(bytes("24:CONTENT"))));
        assertThrows(IllegalStateException.class, parser::env);
        assertThrows(IllegalStateException.class, parser::contentLength);
    }

    @Test
    void longValuesAreTruncatedInMessages() {
        String longValue = "x".repeat(500);
        ScgiException e = assertThrows(ScgiException.class, () -> new ScgiRequestParser().parse(
                ByteBuffer.wrap(bytes(netstring(nulTerminated(longValue, "0"))))));
        assertTrue(e.getMessage().contains("\"" + "x".repeat(Printable.MAX_QUOTED_CHARS) + "\"... (500 chars)"),
                e.getMessage());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }

    private static String netstringWithEnd(String content, char end) {
        return content.length() + ":" + content + end;
    }
}
