package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.gatehouse.scgi.WireText.netstring;
import static io.gatehouse.scgi.WireText.nulTerminated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScgiRequestGeneratorTest {

    @Test
    void writesContentLengthFirstAndAppendsScgi() throws ScgiException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("REQUEST_METHOD", "GET");
        env.put("CONTENT_LENGTH", "0");
        env.put("QUERY_STRING", "");

        ByteBuffer header = ScgiRequestGenerator.header(env);

        assertEquals(0, header.position());
        assertEquals(netstring(nulTerminated("CONTENT_LENGTH", "0", "REQUEST_METHOD", "GET", "QUERY_STRING", "",
                "SCGI", "1")), WireText.text(header));
        assertEquals("57:", WireText.text(header.duplicate().limit(3)));
    }

    /**
     * CONTENT_LENGTH goes first but is known last: the largest long fits the room the writer leaves
     * for it; a value padded with zeros past that room is written whole all the same.
     */
    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775807", "000000000000000000000000000000000000000012"})
    void contentLengthIsWrittenFirstWhateverItsLength(String contentLength) throws ScgiException {
        ByteBuffer header = new ScgiHeaderWriter().put("HTTP_HOST", "h").put("CONTENT_LENGTH", contentLength).finish();

        assertEquals(0, header.position());
        assertEquals(netstring(nulTerminated("CONTENT_LENGTH", contentLength, "HTTP_HOST", "h", "SCGI", "1")),
                WireText.text(header));
    }

    @Test
    void variablesHandedOverOneByOneMakeTheSameHeaderAsTheirMap() throws ScgiException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("REQUEST_METHOD", "POST");
        for (int i = 0; i < 100; i++) {
            env.put("HTTP_X_" + i, "v".repeat(i)); // past the writer's first array
        }
        env.put("CONTENT_LENGTH", "12");
        ScgiHeaderWriter scgi = new ScgiHeaderWriter();
        UwsgiHeaderWriter uwsgi = new UwsgiHeaderWriter();
        for (Map.Entry<String, String> e : env.entrySet()) {
            scgi.put(e.getKey(), e.getValue());
            uwsgi.put(e.getKey(), e.getValue());
        }

        assertEquals(WireText.text(ScgiRequestGenerator.header(env)), WireText.text(scgi.finish()));
        assertEquals(WireText.text(UwsgiRequestGenerator.header(env)), WireText.text(uwsgi.finish()));
    }

    @Test
    void keepsScgiWhereTheCallerPutItAndWritesItOnce() throws ScgiException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SCGI", "1");
        env.put("CONTENT_LENGTH", "5");
        env.put("HTTP_HOST", "h");

        String text = WireText.text(ScgiRequestGenerator.header(env));

        assertEquals(netstring(nulTerminated("CONTENT_LENGTH", "5", "SCGI", "1", "HTTP_HOST", "h")), text);
        assertEquals(text.indexOf("SCGI\0"), text.lastIndexOf("SCGI\0"));
    }

    @Test
    void missingContentLengthIsRejected() {
        ScgiException e = assertThrows(ScgiException.class,
                () -> ScgiRequestGenerator.header(Map.of("REQUEST_METHOD", "GET")));
        assertTrue(e.getMessage().contains("has no CONTENT_LENGTH"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1.5", " 3", "12a", "99999999999999999999"})
    void invalidContentLengthIsRejectedWithItsValue(String value) {
        ScgiException e = assertThrows(ScgiException.class,
                () -> ScgiRequestGenerator.header(Map.of("CONTENT_LENGTH", value)));
        assertTrue(e.getMessage().contains("CONTENT_LENGTH"), e.getMessage());
        if (!value.isEmpty()) {
            assertTrue(e.getMessage().contains("\"" + value + "\""), e.getMessage());
        }
    }

    @Test
    void scgiOtherThanOneIsRejected() {
        ScgiException e = assertThrows(ScgiException.class,
                () -> ScgiRequestGenerator.header(Map.of("CONTENT_LENGTH", "0", "SCGI", "2")));
        assertTrue(e.getMessage().contains("SCGI is \"2\""), e.getMessage());
    }

    @Test
    void nulInAValueIsRejectedNamingTheVariable() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        env.put("HTTP_EVIL", "a\0b");
        ScgiException e = assertThrows(ScgiException.class, () -> ScgiRequestGenerator.header(env));
        assertEquals("SCGI variable \"HTTP_EVIL\": value has a NUL byte at index 1;"
                + " SCGI terminates names and values with NUL", e.getMessage());
    }

    @Test
    void nulInANameIsRejectedNamingTheVariable() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        env.put("HTTP_\0X", "v");
        ScgiException e = assertThrows(ScgiException.class, () -> ScgiRequestGenerator.header(env));
        assertTrue(e.getMessage().startsWith("SCGI variable \"HTTP_\\x00X\": name has a NUL byte at index 5"),
                e.getMessage());
    }

    @Test
    void charAboveFfIsRejectedNamingTheVariable() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        env.put("HTTP_PRICE", "5\u20ac");
        ScgiException e = assertThrows(ScgiException.class, () -> ScgiRequestGenerator.header(env));
        assertTrue(e.getMessage().contains("\"HTTP_PRICE\": value has char U+20AC at index 1"), e.getMessage());
        assertTrue(e.getMessage().contains("U+00FF"), e.getMessage());
    }

    @Test
    void emptyNameIsRejected() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        env.put("", "orphan");
        ScgiException e = assertThrows(ScgiException.class, () -> ScgiRequestGenerator.header(env));
        assertTrue(e.getMessage().contains("name is empty (value \"orphan\")"), e.getMessage());
    }
}
