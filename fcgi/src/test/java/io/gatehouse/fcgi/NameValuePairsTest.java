package io.gatehouse.fcgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NameValuePairsTest {

    private static byte[] encode(String name, String value) {
        ByteBuffer out = ByteBuffer.allocate(NameValuePairs.encodedLength(name, value));
        NameValuePairs.encode(out, name, value);
        assertFalse(out.hasRemaining(), "encodedLength must match what encode writes");
        return out.array();
    }

    @Test
    void lengthOf127UsesOneByte() {
        String name = "N".repeat(127);
        byte[] bytes = encode(name, "v");
        assertEquals(1 + 1 + 127 + 1, bytes.length);
        assertEquals(0x7F, bytes[0]);
        assertEquals(1, bytes[1]);
        assertEquals('N', bytes[2]);
    }

    @Test
    void lengthOf128UsesFourBytesWithTheHighBitSet() {
        String value = "v".repeat(128);
        byte[] bytes = encode("n", value);
        assertEquals(1 + 4 + 1 + 128, bytes.length);
        assertArrayEquals(new byte[] {1, (byte) 0x80, 0, 0, (byte) 0x80, 'n'}, Arrays.copyOf(bytes, 6));
    }

    @Test
    void largeLengthsUseAllThirtyOneBits() throws FcgiException {
        String value = "x".repeat(0x010203);
        byte[] bytes = encode("big", value);
        assertArrayEquals(new byte[] {3, (byte) 0x80, 0x01, 0x02, 0x03}, Arrays.copyOf(bytes, 5));
        assertEquals(Map.of("big", value), NameValuePairs.decode(ByteBuffer.wrap(bytes)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 126, 127, 128, 129, 255, 256, 65535, 65536})
    void pairsRoundTripAroundEveryLengthBoundary(int length) throws FcgiException {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("A".repeat(length == 0 ? 1 : length), "b".repeat(length));
        pairs.put("EMPTY", "");
        pairs.put("Z", "z".repeat(length));
        ByteBuffer out = ByteBuffer.allocate(pairs.entrySet().stream()
                .mapToInt(e -> NameValuePairs.encodedLength(e.getKey(), e.getValue())).sum());
        pairs.forEach((n, v) -> NameValuePairs.encode(out, n, v));
        Map<String, String> decoded = NameValuePairs.decode(out.flip());
        assertEquals(pairs, decoded);
        assertEquals(List.copyOf(pairs.keySet()), List.copyOf(decoded.keySet()));
    }

    @Test
    void aFourByteLengthIsAcceptedEvenForShortStrings() throws FcgiException {
        byte[] bytes = {(byte) 0x80, 0, 0, 2, 1, 'h', 'i', 'x'};
        assertEquals(Map.of("hi", "x"), NameValuePairs.decode(ByteBuffer.wrap(bytes)));
    }

    @Test
    void charsAreOctets() throws FcgiException {
        byte[] bytes = encode("caf\u00e9", "\u00ff\u0080\u0000");
        assertArrayEquals(new byte[] {4, 3, 'c', 'a', 'f', (byte) 0xE9, (byte) 0xFF, (byte) 0x80, 0}, bytes);
        assertEquals(Map.of("caf\u00e9", "\u00ff\u0080\u0000"), NameValuePairs.decode(ByteBuffer.wrap(bytes)));
    }

    @Test
    void aCharAboveFFIsRejectedNamingTheParameter() {
        ByteBuffer out = ByteBuffer.allocate(64);
        IllegalArgumentException inValue = assertThrows(IllegalArgumentException.class,
                () -> NameValuePairs.encode(out, "PRICE", "10\u20ac"));
        assertEquals("value of parameter \"PRICE\" has char U+20AC at index 2: names and values are byte strings"
                + " (one char per octet, ISO-8859-1)", inValue.getMessage());
        IllegalArgumentException inName = assertThrows(IllegalArgumentException.class,
                () -> NameValuePairs.encode(out, "\u0100X", "v"));
        assertEquals("parameter name \"\u0100X\" has char U+0100 at index 0: names and values are byte strings"
                + " (one char per octet, ISO-8859-1)", inName.getMessage());
        assertEquals(0, out.position(), "nothing is written for a rejected pair");
    }

    @Test
    void aNameSeenTwiceKeepsItsPlaceAndTheLastValue() throws FcgiException {
        ByteBuffer out = ByteBuffer.allocate(64);
        NameValuePairs.encode(out, "A", "1");
        NameValuePairs.encode(out, "B", "2");
        NameValuePairs.encode(out, "A", "3");
        Map<String, String> decoded = NameValuePairs.decode(out.flip());
        assertEquals(List.of("A", "B"), List.copyOf(decoded.keySet()));
        assertEquals("3", decoded.get("A"));
    }

    @Test
    void decodeReadsFromPositionToLimitOnly() throws FcgiException {
        byte[] bytes = {9, 9, 1, 1, 'a', 'b', 9};
        ByteBuffer in = ByteBuffer.wrap(bytes, 2, 4);
        assertEquals(Map.of("a", "b"), NameValuePairs.decode(in));
        assertEquals(6, in.position());
        assertEquals(Map.of(), NameValuePairs.decode(ByteBuffer.allocate(0)));
    }

    @Test
    void truncatedPairsFailWithWhatWasMissing() {
        assertTruncated(new byte[] {5}, "name-value pair at offset 0 truncated: value length needs 1 bytes, 0 left");
        assertTruncated(new byte[] {(byte) 0x80, 0, 0},
                "name-value pair at offset 0 truncated: name length (4-byte form) needs 4 bytes, 3 left");
        assertTruncated(new byte[] {1, (byte) 0x80, 0, 1},
                "name-value pair at offset 0 truncated: value length (4-byte form) needs 4 bytes, 3 left");
        assertTruncated(new byte[] {10, 0, 'a', 'b', 'c'},
                "name-value pair at offset 0 truncated: name needs 10 bytes, 3 left");
        assertTruncated(new byte[] {1, 1, 'a', 'b', 1, 5, 'c', 'x'},
                "name-value pair at offset 4 truncated: value of \"c\" needs 5 bytes, 1 left");
    }

    private static void assertTruncated(byte[] bytes, String message) {
        FcgiException e = assertThrows(FcgiException.class, () -> NameValuePairs.decode(ByteBuffer.wrap(bytes)));
        assertEquals(message, e.getMessage());
    }
}
