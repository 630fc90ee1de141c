package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link NameValuePairs#decode}, which reads PARAMS, GET_VALUES and GET_VALUES_RESULT
 * bodies: it answers pairs or an {@link FcgiException}, never holds more than it was given, and
 * what it decodes encodes back to pairs that decode the same.
 */
class NameValuePairsFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void nameValuePairs(byte[] input) {
        Map<String, String> pairs;
        try {
            pairs = NameValuePairs.decode(ByteBuffer.wrap(input));
        } catch (FcgiException e) {
            return;
        }
        int encoded = 0;
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            encoded += NameValuePairs.encodedLength(pair.getKey(), pair.getValue());
        }
        assertTrue(encoded <= input.length, "decoded " + encoded + " bytes of pairs from " + input.length);
        ByteBuffer out = ByteBuffer.allocate(encoded);
        pairs.forEach((name, value) -> NameValuePairs.encode(out, name, value));
        try {
            assertEquals(pairs, NameValuePairs.decode(out.flip()));
        } catch (FcgiException e) {
            throw new AssertionError("pairs it decoded do not decode again: " + e.getMessage(), e);
        }
    }
}
