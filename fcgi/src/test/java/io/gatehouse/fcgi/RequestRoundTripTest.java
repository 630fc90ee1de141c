package io.gatehouse.fcgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What {@link FcgiRequestGenerator} writes, {@link FcgiRequestParser} reads back, however the bytes are cut. */
class RequestRoundTripTest {

    private static Map<String, String> sampleParams() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SCRIPT_NAME", "/index.php");
        params.put("N".repeat(127), "v".repeat(128));
        params.put("QUERY_STRING", "");
        params.put("HTTP_X_BYTES", "caf\u00e9\u00ff");
        return params;
    }

    private static void assertEveryFeedGives(byte[] wire, List<String> expected) throws FcgiException {
        for (Feeds.Feed feed : Feeds.all(wire)) {
            assertEquals(expected, RequestEvents.parse(feed).lines(), feed.name());
        }
    }

    @Test
    void beginParamsStdinAndEndOfStdin() throws FcgiException {
        ByteBuffer stdin = ByteBuffer.allocate(64);
        FcgiRequestGenerator.stdinHeader(stdin, 7, 5);
        stdin.put(Wire.latin1("hello"));
        FcgiRequestGenerator.stdinHeader(stdin, 7, 3);
        stdin.put(Wire.latin1("abc"));
        byte[] wire = Feeds.bytes(FcgiRequestGenerator.beginRequest(7, true, sampleParams()), stdin.flip(),
                FcgiRequestGenerator.endOfStdin(7));

        assertEveryFeedGives(wire, List.of(
                "begin 7 role=1 keepConn=true",
                "params 7 " + sampleParams(),
                "stdin 7 helloabc",
                "end-stdin 7"));
    }

    @Test
    void abortWithoutKeepConn() throws FcgiException {
        byte[] wire = Feeds.bytes(FcgiRequestGenerator.beginRequest(65535, false, Map.of()),
                FcgiRequestGenerator.abortRequest(65535));
        assertEveryFeedGives(wire, List.of("begin 65535 role=1 keepConn=false", "params 65535 {}", "abort 65535"));
    }

    @Test
    void abortDuringParamsClosesTheParamsStream() throws FcgiException {
        byte[] wire = new Wire().begin(1, 1, 0).record(RecordType.PARAMS, 1, "\u0001\u0001ab")
                .buffer(FcgiRequestGenerator.abortRequest(1))
                .begin(1, 1, 0).record(RecordType.PARAMS, 1, "").bytes();
        assertEveryFeedGives(wire, List.of("begin 1 role=1 keepConn=false", "abort 1",
                "begin 1 role=1 keepConn=false", "params 1 {}"));
    }

    @Test
    void getValues() throws FcgiException {
        byte[] wire = Feeds.bytes(FcgiRequestGenerator.getValues(List.of(Fcgi.MAX_CONNS, Fcgi.MPXS_CONNS)));
        assertEquals(List.of(new Wire.Header(1, 9, 0, wire.length - 8, 0)), Wire.headers(wire));
        assertEveryFeedGives(wire, List.of("get-values [FCGI_MAX_CONNS, FCGI_MPXS_CONNS]"));
    }

    @Test
    void otherRolesDataPaddingAndUnknownTypes() throws FcgiException {
        byte[] wire = new Wire()
                .begin(3, Role.FILTER.code(), 0xFE)
                .begin(4, 9, Fcgi.FLAG_KEEP_CONN)
                .record(RecordType.PARAMS.code(), 3, new byte[] {1, 1, 'k', 'v'}, 4)
                .record(RecordType.PARAMS, 3, "")
                .record(RecordType.STDIN.code(), 3, Wire.latin1("padded"), 2)
                .record(RecordType.STDIN, 3, "")
                .record(RecordType.DATA, 3, "xyz")
                .record(RecordType.DATA, 3, "")
                .record(42, 3, Wire.latin1("??"), 6)
                .record(200, 0, new byte[0], 0)
                .bytes();
        assertEveryFeedGives(wire, List.of(
                "begin 3 role=3 keepConn=false",
                "begin 4 role=9 keepConn=true",
                "params 3 {k=v}",
                "stdin 3 padded",
                "end-stdin 3",
                "data 3 xyz",
                "end-data 3",
                "unknown type=42 id=3",
                "unknown type=200 id=0"));
    }

    @Test
    void interleavedRequestsKeepTheirParamsApart() throws FcgiException {
        byte[] wire = new Wire()
                .begin(1, 1, 1).begin(2, 1, 1)
                .record(RecordType.PARAMS, 2, "\u0001\u0001b2")
                .record(RecordType.PARAMS, 1, "\u0001\u0001a1")
                .record(RecordType.PARAMS, 2, "")
                .record(RecordType.PARAMS, 1, "")
                .bytes();
        assertEveryFeedGives(wire, List.of("begin 1 role=1 keepConn=true", "begin 2 role=1 keepConn=true",
                "params 2 {b=2}", "params 1 {a=1}"));
    }

    @Test
    void stdinIsDeliveredBeforeItsRecordIsComplete() throws FcgiException {
        byte[] wire = Feeds.bytes(FcgiRequestGenerator.beginRequest(1, false, Map.of()));
        RequestEvents events = new RequestEvents();
        FcgiRequestParser parser = new FcgiRequestParser(events);
        parser.parse(ByteBuffer.wrap(wire));
        ByteBuffer header = ByteBuffer.allocate(8);
        FcgiRequestGenerator.stdinHeader(header, 1, 1000);
        parser.parse(header.flip());
        parser.parse(ByteBuffer.wrap(new byte[10]));
        assertEquals("stdin 1 " + "\0".repeat(10), events.lines().get(events.lines().size() - 1));
        assertEquals(1, events.stdinCalls);
    }

    @Test
    void paramsThatFitGoInExactlyOneRecord() throws FcgiException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("A", "x".repeat(Fcgi.MAX_CONTENT_LENGTH - 1 - 4 - 1));
        assertEquals(Fcgi.MAX_CONTENT_LENGTH, NameValuePairs.encodedLength("A", params.get("A")));
        byte[] wire = Feeds.bytes(FcgiRequestGenerator.beginRequest(1, false, params));

        assertEquals(List.of(new Wire.Header(1, 1, 1, 8, 0), new Wire.Header(1, 4, 1, Fcgi.MAX_CONTENT_LENGTH, 0),
                new Wire.Header(1, 4, 1, 0, 0)), Wire.headers(wire));
        assertParamsSurviveCuts(wire, params);
    }

    @Test
    void paramsThatDoNotFitAreSplitAndAPairMaySpanRecords() throws FcgiException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SHORT", "1");
        params.put("HUGE", "y".repeat(100_000));
        params.put("LAST", "z".repeat(40_000));
        byte[] wire = Feeds.bytes(FcgiRequestGenerator.beginRequest(2, true, params));

        int total = params.entrySet().stream().mapToInt(e -> NameValuePairs.encodedLength(e.getKey(), e.getValue()))
                .sum();
        assertEquals(List.of(new Wire.Header(1, 1, 2, 8, 0),
                new Wire.Header(1, 4, 2, 65535, 0),
                new Wire.Header(1, 4, 2, 65535, 0),
                new Wire.Header(1, 4, 2, total - 2 * 65535, 0),
                new Wire.Header(1, 4, 2, 0, 0)), Wire.headers(wire));
        assertParamsSurviveCuts(wire, params);
    }

    @Test
    void anEmptyParamsMapSendsOnlyTheEmptyRecord() throws FcgiException {
        byte[] wire = Feeds.bytes(FcgiRequestGenerator.beginRequest(1, false, Map.of()));
        assertEquals(List.of(new Wire.Header(1, 1, 1, 8, 0), new Wire.Header(1, 4, 1, 0, 0)), Wire.headers(wire));
    }

    @Test
    void aWriterFedPairByPairKeepsTheirOrderAndARefusedPairLeavesNoTrace() throws FcgiException {
        BeginRequestWriter writer = new BeginRequestWriter(3, true).param("FIRST", "1");
        assertThrows(FcgiException.class, () -> writer.param("PRICE", "10\u20ac"));
        assertThrows(FcgiException.class, () -> writer.param("EMPTY", null));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("FIRST", "1");
        for (int i = 0; i < 200; i++) { // far beyond the writer's first array
            params.put("VAR_" + i, "value " + i);
            writer.param("VAR_" + i, "value " + i);
        }
        byte[] wire = Feeds.bytes(writer.finish());

        assertEquals(3, Wire.headers(wire).size());
        assertParamsSurviveCuts(wire, params);
    }

    /** Large inputs: every record boundary and its neighbours, a prime stride, and byte by byte. */
    private static void assertParamsSurviveCuts(byte[] wire, Map<String, String> params) throws FcgiException {
        List<Feeds.Feed> feeds = new ArrayList<>();
        feeds.add(Feeds.byteByByte(wire));
        int boundary = 0;
        for (Wire.Header header : Wire.headers(wire)) {
            for (int delta = -1; delta <= 9; delta++) {
                int at = boundary + delta;
                if (at >= 0 && at <= wire.length) {
                    feeds.add(Feeds.splitAt(wire, at));
                }
            }
            boundary += 8 + header.contentLength() + header.paddingLength();
        }
        for (int stride : new int[] {7919, 65536}) {
            List<Integer> offsets = new ArrayList<>();
            for (int at = stride; at < wire.length; at += stride) {
                offsets.add(at);
            }
            feeds.add(Feeds.splitAt(wire, offsets.stream().mapToInt(Integer::intValue).toArray()));
        }
        for (Feeds.Feed feed : feeds) {
            List<String> lines = RequestEvents.parse(feed).lines();
            assertEquals(2, lines.size(), feed.name());
            assertEquals("params " + Wire.headers(wire).get(0).requestId() + " " + params, lines.get(1), feed.name());
        }
    }
}
