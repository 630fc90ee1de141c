package io.gatehouse.fcgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What {@link FcgiResponseGenerator} writes, the client-side parsers read back, however the bytes are cut. */
class ResponseRoundTripTest {

    private static ByteBuffer text(String text) {
        return ByteBuffer.wrap(Wire.latin1(text));
    }

    @Test
    void stdoutStderrAndEndRequestWithTheRestLeftUnread() throws FcgiException {
        ByteBuffer out = ByteBuffer.allocate(512);
        FcgiResponseGenerator.stdout(out, 3, text("Status: 201\r\n\r\n"), true);
        FcgiResponseGenerator.stderr(out, 3, text("warning: x"), false);
        FcgiResponseGenerator.stdout(out, 3, text("body"), false);
        FcgiResponseGenerator.endOfStdout(out, 3);
        FcgiResponseGenerator.endOfStderr(out, 3);
        FcgiResponseGenerator.endRequest(out, 3, 7, ProtocolStatus.REQUEST_COMPLETE);
        out.put(Wire.latin1("NEXT"));
        byte[] wire = Feeds.bytes(out.flip());

        for (Feeds.Feed feed : Feeds.all(wire)) {
            ResponseEvents events = ResponseEvents.parse(3, feed);
            assertEquals(List.of("stdout Status: 201\r\n\r\n", "stderr warning: x", "stdout body",
                    "end 7 REQUEST_COMPLETE"), events.lines(), feed.name());
            assertEquals("NEXT", events.leftover.toString(StandardCharsets.ISO_8859_1), feed.name());
        }
    }

    @Test
    void skippedRecordsAreReported() throws FcgiException {
        ByteBuffer control = ByteBuffer.allocate(64);
        FcgiResponseGenerator.unknownType(control, 77);
        FcgiResponseGenerator.endRequest(control, 1, 0xFFFF_FFFFL, ProtocolStatus.OVERLOADED);
        Map<String, String> values = Map.of(Fcgi.MPXS_CONNS, "0");
        byte[] wire = new Wire()
                .buffer(FcgiResponseGenerator.getValuesResult(values))
                .buffer(control.flip().slice(0, 16))
                .record(42, 1, Wire.latin1("skip me"), 1)
                .record(RecordType.BEGIN_REQUEST, 1, "12345678")
                .record(RecordType.STDOUT, 1, "ok")
                .buffer(control.slice(16, 16))
                .bytes();

        for (Feeds.Feed feed : Feeds.all(wire)) {
            ResponseEvents events = ResponseEvents.parse(1, feed);
            assertEquals(List.of("unknown type=10 id=0", "unknown type=11 id=0", "unknown type=42 id=1",
                    "unknown type=1 id=1", "stdout ok", "end 4294967295 OVERLOADED"), events.lines(), feed.name());
        }
    }

    @Test
    void everyProtocolStatusSurvives() throws FcgiException {
        for (ProtocolStatus status : ProtocolStatus.values()) {
            ByteBuffer out = ByteBuffer.allocate(16);
            FcgiResponseGenerator.endRequest(out, 2, 0, status);
            ResponseEvents events = ResponseEvents.parse(2, Feeds.byteByByte(Feeds.bytes(out.flip())));
            assertEquals(List.of("end 0 " + status), events.lines());
        }
    }

    @Test
    void maximumStdoutRecordsStreamInSlices() throws FcgiException {
        byte[] content = new byte[Fcgi.MAX_CONTENT_LENGTH + 100_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + (i >> 8));
        }
        ByteBuffer out = ByteBuffer.allocate(FcgiResponseGenerator.encodedLength(content.length, false) + 16);
        FcgiResponseGenerator.stdout(out, 1, ByteBuffer.wrap(content), false);
        FcgiResponseGenerator.endRequest(out, 1, 0, ProtocolStatus.REQUEST_COMPLETE);
        assertFalse(out.hasRemaining(), "encodedLength is exact");
        byte[] wire = Feeds.bytes(out.flip());
        assertEquals(List.of(new Wire.Header(1, 6, 1, 65535, 0), new Wire.Header(1, 6, 1, 65535, 0),
                new Wire.Header(1, 6, 1, content.length - 2 * 65535, 0), new Wire.Header(1, 3, 1, 8, 0)),
                Wire.headers(wire));

        List<Feeds.Feed> feeds = new ArrayList<>(List.of(Feeds.byteByByte(wire),
                Feeds.splitAt(wire, 1, 8, 9, 1000, 65542, 65543, 65544, 65551, 70000, wire.length - 8)));
        for (int at = 0; at <= 20; at++) {
            feeds.add(Feeds.splitAt(wire, at, 65543 + at));
        }
        for (Feeds.Feed feed : feeds) {
            ResponseEvents events = ResponseEvents.parse(1, feed);
            assertEquals(2, events.lines().size(), feed.name());
            assertArrayEquals(content, Wire.latin1(events.lines().get(0).substring("stdout ".length())), feed.name());
            assertEquals("end 0 REQUEST_COMPLETE", events.lines().get(1));
        }

        // streaming: 1000 bytes of a 65535-byte record are delivered without the rest of it
        ResponseEvents partial = new ResponseEvents();
        FcgiResponseParser parser = new FcgiResponseParser(1, partial);
        assertFalse(parser.parse(ByteBuffer.wrap(wire, 0, 8 + 1000)));
        assertEquals(1000, partial.stdoutBytes);
        assertEquals(1, partial.stdoutCalls);
        assertFalse(parser.isComplete());
    }

    @Test
    void paddingAlignsRecordsToEightBytesAndIsSkipped() throws FcgiException {
        for (int length : new int[] {1, 5, 7, 8, 9, 15, 16, 65535, 65536, 70001}) {
            byte[] content = new byte[length];
            Arrays.fill(content, (byte) 'p');
            ByteBuffer out = ByteBuffer.allocate(FcgiResponseGenerator.encodedLength(length, true) + 16);
            FcgiResponseGenerator.stderr(out, 4, ByteBuffer.wrap(content), true);
            assertEquals(FcgiResponseGenerator.encodedLength(length, true), out.position());
            FcgiResponseGenerator.endRequest(out, 4, 0, ProtocolStatus.REQUEST_COMPLETE);
            byte[] wire = Feeds.bytes(out.flip());
            for (Wire.Header header : Wire.headers(wire)) {
                assertEquals(0, (header.contentLength() + header.paddingLength()) % 8, "length " + length);
                assertTrue(header.paddingLength() < 8);
            }
            Feeds.Feed feed = length < 100
                    ? Feeds.byteByByte(wire) : Feeds.splitAt(wire, 8 + 65535 + 1, wire.length - 9);
            ResponseEvents events = ResponseEvents.parse(4, feed);
            assertEquals(List.of("stderr " + "p".repeat(length), "end 0 REQUEST_COMPLETE"), events.lines());
        }
        ByteBuffer five = ByteBuffer.allocate(16);
        FcgiResponseGenerator.stdout(five, 1, text("12345"), true);
        assertArrayEquals(new byte[] {1, 6, 0, 1, 0, 5, 3, 0, '1', '2', '3', '4', '5', 0, 0, 0}, five.array());
    }

    @Test
    void getValuesResultRoundTrip() throws FcgiException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(Fcgi.MAX_CONNS, "64");
        values.put(Fcgi.MAX_REQS, "64");
        values.put(Fcgi.MPXS_CONNS, "0");
        byte[] wire = Feeds.bytes(FcgiResponseGenerator.getValuesResult(values), text("rest"));
        for (Feeds.Feed feed : Feeds.all(wire)) {
            GetValuesResultParser parser = new GetValuesResultParser();
            ByteBuffer rest = ByteBuffer.allocate(wire.length);
            for (ByteBuffer piece : feed.pieces()) {
                if (!parser.isComplete()) {
                    parser.parse(piece);
                }
                rest.put(piece);
            }
            assertEquals(values, parser.values(), feed.name());
            assertEquals(List.copyOf(values.keySet()), List.copyOf(parser.values().keySet()));
            assertEquals(-1, parser.unknownType());
            assertEquals("rest", new String(rest.array(), 0, rest.position(), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void unknownTypeAnswersGetValues() throws FcgiException {
        ByteBuffer out = ByteBuffer.allocate(16);
        FcgiResponseGenerator.unknownType(out, RecordType.GET_VALUES.code());
        assertArrayEquals(new byte[] {1, 11, 0, 0, 0, 8, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0}, out.array());
        for (Feeds.Feed feed : Feeds.all(out.array())) {
            GetValuesResultParser parser = new GetValuesResultParser();
            boolean complete = false;
            for (ByteBuffer piece : feed.pieces()) {
                complete = parser.parse(piece);
            }
            assertTrue(complete, feed.name());
            assertEquals(9, parser.unknownType());
            assertEquals(Map.of(), parser.values());
        }
    }
}
