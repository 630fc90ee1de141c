package io.gatehouse.fcgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Every way a web server's bytes can be wrong, and every way a request cannot be encoded. */
class RequestParserErrorsTest {

    /** The parser must fail with {@code message} however the input is cut. */
    private static void assertFailsEveryFeed(byte[] wire, String message) {
        for (Feeds.Feed feed : Feeds.all(wire)) {
            FcgiException e = assertThrows(FcgiException.class, () -> RequestEvents.parse(feed), feed.name());
            assertEquals(message, e.getMessage(), feed.name());
        }
    }

    @Test
    void badVersion() {
        byte[] wire = {2, 1, 0, 1, 0, 8, 0, 0};
        assertFailsEveryFeed(wire, "FastCGI record version 2, expected 1 (header bytes 0201000100080000):"
                + " is the peer speaking FastCGI?");
    }

    @Test
    void beginRequestWithAWrongBodyLength() {
        byte[] wire = new Wire().record(RecordType.BEGIN_REQUEST.code(), 1, new byte[7], 0).bytes();
        assertFailsEveryFeed(wire, "BEGIN_REQUEST contentLength 7, expected 8 (request id 1)");
    }

    @Test
    void beginRequestOnTheNullRequestId() {
        byte[] wire = new Wire().begin(0, 1, 0).bytes();
        assertFailsEveryFeed(wire, "BEGIN_REQUEST on request id 0, which is reserved for management records");
    }

    @Test
    void beginRequestWhileItsParamsAreOpen() {
        byte[] wire = new Wire().begin(5, 1, 0).begin(5, 1, 0).bytes();
        assertFailsEveryFeed(wire, "BEGIN_REQUEST for request id 5 while its PARAMS stream is still open");
    }

    @Test
    void paramsWithoutBeginRequest() {
        byte[] wire = new Wire().record(RecordType.PARAMS, 3, "").bytes();
        assertFailsEveryFeed(wire, "PARAMS for request id 3 without BEGIN_REQUEST, or after its PARAMS stream ended");
    }

    @Test
    void stdinBeforeTheParamsEnded() {
        byte[] wire = new Wire().begin(1, 1, 0).record(RecordType.STDIN, 1, "x").bytes();
        assertFailsEveryFeed(wire, "STDIN for request id 1 before its PARAMS stream ended");
    }

    @Test
    void getValuesOnARequestId() {
        byte[] wire = new Wire().record(RecordType.GET_VALUES, 3, "").bytes();
        assertFailsEveryFeed(wire, "GET_VALUES on request id 3, expected the null request id 0");
    }

    @Test
    void recordsOnlyAnApplicationSends() {
        assertFailsEveryFeed(new Wire().record(RecordType.STDOUT, 1, "hi").bytes(),
                "unexpected STDOUT record from the web server (request id 1): only an application sends it");
        assertFailsEveryFeed(new Wire().endRequest(1, 0, 0).bytes(),
                "unexpected END_REQUEST record from the web server (request id 1): only an application sends it");
    }

    @Test
    void truncatedParams() {
        byte[] wire = new Wire().begin(1, 1, 0)
                .record(RecordType.PARAMS.code(), 1, new byte[] {10, 0, 'a', 'b', 'c'}, 0)
                .record(RecordType.PARAMS, 1, "").bytes();
        assertFailsEveryFeed(wire,
                "PARAMS of request id 1: name-value pair at offset 0 truncated: name needs 10 bytes, 3 left");
    }

    @Test
    void paramsOverTheLimitFailBeforeTheyAreBuffered() {
        Wire wire = new Wire().begin(9, 1, 0);
        byte[] full = new byte[Fcgi.MAX_CONTENT_LENGTH];
        int records = Fcgi.MAX_PARAMS_LENGTH / Fcgi.MAX_CONTENT_LENGTH + 1;
        for (int i = 0; i < records; i++) {
            wire.record(RecordType.PARAMS.code(), 9, full, 0);
        }
        byte[] bytes = wire.bytes();
        long total = (long) records * Fcgi.MAX_CONTENT_LENGTH;
        String message = "PARAMS total length " + total + " exceeds limit 1048576 (request id 9)";
        // the failure comes with the header of the record that crosses the limit, before its content
        int crossingHeaderEnd = 16 + (records - 1) * (8 + Fcgi.MAX_CONTENT_LENGTH) + 8;
        FcgiRequestParser parser = new FcgiRequestParser(new RequestEvents());
        ByteBuffer in = ByteBuffer.wrap(bytes);
        FcgiException e = assertThrows(FcgiException.class, () -> parser.parse(in));
        assertEquals(message, e.getMessage());
        assertEquals(crossingHeaderEnd, in.position());
        for (Feeds.Feed feed : List.of(Feeds.splitAt(bytes, crossingHeaderEnd - 1), Feeds.splitAt(bytes, 100_000))) {
            assertEquals(message, assertThrows(FcgiException.class, () -> RequestEvents.parse(feed)).getMessage());
        }
    }

    @Test
    void tooManyOpenParamsStreams() {
        Wire wire = new Wire();
        for (int id = 1; id <= FcgiRequestParser.MAX_OPEN_PARAMS_STREAMS + 1; id++) {
            wire.begin(id, 1, 0);
        }
        assertFailsEveryFeed(wire.bytes(), "open PARAMS streams 9 exceed limit 8"
                + " (FcgiRequestParser.MAX_OPEN_PARAMS_STREAMS) at request id 9");
    }

    @Test
    void aFailedParserStaysFailed() {
        FcgiRequestParser parser = new FcgiRequestParser(new RequestEvents());
        assertThrows(FcgiException.class, () -> parser.parse(ByteBuffer.wrap(new byte[] {0, 1, 0, 1, 0, 0, 0, 0})));
        FcgiException again = assertThrows(FcgiException.class,
                () -> parser.parse(ByteBuffer.wrap(new Wire().begin(1, 1, 0).bytes())));
        assertTrue(again.getMessage().startsWith("parser already failed: FastCGI record version 0"),
                again.getMessage());
    }

    @Test
    void generatorRejectsANonLatin1ParameterNamingIt() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("OK", "fine");
        params.put("HTTP_X_NAME", "J\u00fcrgen \u0141");
        FcgiException e = assertThrows(FcgiException.class, () -> FcgiRequestGenerator.beginRequest(1, false, params));
        assertEquals("value of parameter \"HTTP_X_NAME\" has char U+0141 at index 7: names and values are byte"
                + " strings (one char per octet, ISO-8859-1)", e.getMessage());
    }

    @Test
    void generatorRejectsNulls() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("EMPTY", null);
        FcgiException e = assertThrows(FcgiException.class, () -> FcgiRequestGenerator.beginRequest(1, false, params));
        assertEquals("parameter \"EMPTY\" has a null value", e.getMessage());
    }

    @Test
    void generatorRejectsParamsOverTheLimit() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("A", "a".repeat(600_000));
        params.put("B", "b".repeat(600_000));
        FcgiException e = assertThrows(FcgiException.class, () -> FcgiRequestGenerator.beginRequest(1, false, params));
        assertEquals("params length exceeds limit 1048576 (Fcgi.MAX_PARAMS_LENGTH) at parameter \"B\": 1200012"
                + " bytes so far", e.getMessage());
    }

    @Test
    void generatorRejectsOutOfRangeArguments() {
        ByteBuffer out = ByteBuffer.allocate(16);
        assertEquals("STDIN contentLength 0 is outside 1..65535 (an empty record ends the body: use endOfStdin)",
                assertThrows(IllegalArgumentException.class, () -> FcgiRequestGenerator.stdinHeader(out, 1, 0))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> FcgiRequestGenerator.stdinHeader(out, 1, 65536));
        assertEquals("requestId 0 is outside 1..65535", assertThrows(IllegalArgumentException.class,
                () -> FcgiRequestGenerator.beginRequest(0, false, Map.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> FcgiRequestGenerator.endOfStdin(65536));
        assertEquals(0, out.position());
    }

    @Test
    void getValuesMustFitOneRecord() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            names.add(String.format("%03d", i) + "N".repeat(117));
        }
        // each pair takes 1 + 1 + 120 bytes, so pair number 538 (index 537) crosses 65535
        try {
            FcgiRequestGenerator.getValues(names);
            fail("600 names of 120 bytes do not fit one record");
        } catch (FcgiException e) {
            assertEquals("GET_VALUES content length 65636 at \"" + names.get(537)
                    + "\" exceeds limit 65535 (the record must be a single one)", e.getMessage());
        }
    }
}
