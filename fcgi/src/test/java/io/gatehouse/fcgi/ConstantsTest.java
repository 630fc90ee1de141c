package io.gatehouse.fcgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConstantsTest {

    @ParameterizedTest
    @EnumSource(RecordType.class)
    void recordTypeCodesRoundTrip(RecordType type) throws FcgiException {
        assertEquals(type, RecordType.from(type.code()));
        assertEquals(type.ordinal() + 1, type.code());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 12, 255, 256})
    void unknownRecordTypeCodeFailsNamingIt(int code) {
        FcgiException e = assertThrows(FcgiException.class, () -> RecordType.from(code));
        assertEquals("unknown FastCGI record type code " + code + " (known codes are 1..11)", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void roleCodesRoundTrip(Role role) throws FcgiException {
        assertEquals(role, Role.from(role.code()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 65535})
    void unknownRoleFailsNamingIt(int code) {
        FcgiException e = assertThrows(FcgiException.class, () -> Role.from(code));
        assertEquals("unknown FastCGI role code " + code + " (known codes are 1..3)", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(ProtocolStatus.class)
    void protocolStatusCodesRoundTrip(ProtocolStatus status) throws FcgiException {
        assertEquals(status, ProtocolStatus.from(status.code()));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 4, 255})
    void unknownProtocolStatusFailsNamingIt(int code) {
        FcgiException e = assertThrows(FcgiException.class, () -> ProtocolStatus.from(code));
        assertEquals("unknown FastCGI protocol status " + code + " (known values are 0..3)", e.getMessage());
    }

    @Test
    void specCodesAreThoseOfFastCgi10() {
        assertEquals(1, RecordType.BEGIN_REQUEST.code());
        assertEquals(9, RecordType.GET_VALUES.code());
        assertEquals(11, RecordType.UNKNOWN_TYPE.code());
        assertEquals(1, Role.RESPONDER.code());
        assertEquals(3, Role.FILTER.code());
        assertEquals(0, ProtocolStatus.REQUEST_COMPLETE.code());
        assertEquals(3, ProtocolStatus.UNKNOWN_ROLE.code());
    }

    @Test
    void headerLayoutIsBigEndianWithVersionOne() {
        ByteBuffer out = ByteBuffer.allocate(8);
        RecordHeader.write(out, RecordType.STDOUT, 0x1234, 0xFFFF, 7);
        assertArrayEquals(new byte[] {1, 6, 0x12, 0x34, (byte) 0xFF, (byte) 0xFF, 7, 0}, out.array());

        ByteBuffer again = ByteBuffer.allocate(8);
        new RecordHeader(1, RecordType.STDOUT, 0x1234, 0xFFFF, 7).write(again);
        assertArrayEquals(out.array(), again.array());
    }

    @Test
    void headerFieldsOutsideTheirRangesAreRejected() {
        ByteBuffer out = ByteBuffer.allocate(8);
        assertEquals("requestId 65536 is outside 0..65535", assertThrows(IllegalArgumentException.class,
                () -> RecordHeader.write(out, RecordType.STDIN, 65536, 0, 0)).getMessage());
        assertEquals("contentLength 65536 is outside 0..65535", assertThrows(IllegalArgumentException.class,
                () -> RecordHeader.write(out, RecordType.STDIN, 1, 65536, 0)).getMessage());
        assertEquals("paddingLength 256 is outside 0..255", assertThrows(IllegalArgumentException.class,
                () -> RecordHeader.write(out, RecordType.STDIN, 1, 0, 256)).getMessage());
        assertEquals("contentLength -1 is outside 0..65535", assertThrows(IllegalArgumentException.class,
                () -> new RecordHeader(1, RecordType.STDIN, 1, -1, 0)).getMessage());
        assertEquals(0, out.position());
    }
}
