package io.gatehouse.fcgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** Every way an application's answer can be wrong. */
class ResponseParserErrorsTest {

    private static void assertFailsEveryFeed(int requestId, byte[] wire, String message) {
        for (Feeds.Feed feed : Feeds.all(wire)) {
            FcgiException e = assertThrows(FcgiException.class, () -> ResponseEvents.parse(requestId, feed),
                    feed.name());
            assertEquals(message, e.getMessage(), feed.name());
        }
    }

    @Test
    void anHttpAnswerIsNotFastCgi() {
        assertFailsEveryFeed(1, Wire.latin1("HTTP/1.1 200 OK\r\n"),
                "FastCGI record version 72, expected 1 (header bytes 485454502f312e31): is the peer speaking FastCGI?");
    }

    @Test
    void aRecordForAnotherRequestNamesBothIds() {
        byte[] wire = new Wire().record(RecordType.STDOUT, 1, "ok").record(RecordType.STDOUT, 2, "no").bytes();
        assertFailsEveryFeed(1, wire, "STDOUT record for request id 2, expected request id 1");
        assertFailsEveryFeed(1, new Wire().record(99, 3, new byte[0], 0).bytes(),
                "type 99 record for request id 3, expected request id 1");
    }

    @Test
    void endRequestWithAWrongBodyLength() {
        assertFailsEveryFeed(1, new Wire().record(RecordType.END_REQUEST.code(), 1, new byte[5], 0).bytes(),
                "END_REQUEST contentLength 5, expected 8 (request id 1)");
        assertFailsEveryFeed(1, new Wire().record(RecordType.END_REQUEST.code(), 1, new byte[9], 0).bytes(),
                "END_REQUEST contentLength 9, expected 8 (request id 1)");
    }

    @Test
    void endRequestWithAnUnknownProtocolStatus() {
        assertFailsEveryFeed(6, new Wire().endRequest(6, 0, 4).bytes(),
                "END_REQUEST for request id 6: unknown FastCGI protocol status 4 (known values are 0..3)");
    }

    @Test
    void aFailedParserStaysFailed() {
        FcgiResponseParser parser = new FcgiResponseParser(1, new ResponseEvents());
        assertThrows(FcgiException.class, () -> parser.parse(ByteBuffer.wrap(new Wire().endRequest(2, 0, 0).bytes())));
        FcgiException again = assertThrows(FcgiException.class,
                () -> parser.parse(ByteBuffer.wrap(new Wire().endRequest(1, 0, 0).bytes())));
        assertEquals("parser already failed: END_REQUEST record for request id 2, expected request id 1",
                again.getMessage());
    }

    @Test
    void getValuesResultParserRejectsOtherRecords() {
        FcgiException e = assertThrows(FcgiException.class, () -> new GetValuesResultParser()
                .parse(ByteBuffer.wrap(new Wire().record(RecordType.STDOUT, 1, "x").bytes())));
        assertEquals("STDOUT record on request id 1 while waiting for GET_VALUES_RESULT on request id 0",
                e.getMessage());
        FcgiException truncated = assertThrows(FcgiException.class, () -> new GetValuesResultParser()
                .parse(ByteBuffer.wrap(new Wire().record(RecordType.GET_VALUES_RESULT, 0, "\u0005\u0000ab").bytes())));
        assertTrue(truncated.getMessage().startsWith("GET_VALUES_RESULT: name-value pair at offset 0 truncated"),
                truncated.getMessage());
    }

    @Test
    void responseGeneratorRejectsOutOfRangeArguments() {
        ByteBuffer out = ByteBuffer.allocate(64);
        assertEquals("appStatus -1 is outside 0..4294967295", assertThrows(IllegalArgumentException.class,
                () -> FcgiResponseGenerator.endRequest(out, 1, -1, ProtocolStatus.REQUEST_COMPLETE)).getMessage());
        assertEquals("type code 256 is outside 0..255", assertThrows(IllegalArgumentException.class,
                () -> FcgiResponseGenerator.unknownType(out, 256)).getMessage());
        ByteBuffer small = ByteBuffer.allocate(12);
        assertThrows(BufferOverflowException.class,
                () -> FcgiResponseGenerator.stdout(small, 1, ByteBuffer.allocate(5), false));
        assertEquals(0, small.position(), "nothing is written when the records do not fit");
        assertEquals(0, out.position());
    }
}
