package io.gatehouse.scgi;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes {@link ScgiRequestParser} with what a client of an SCGI application might send: the
 * outcome is a header or an {@link ScgiException}, the same however the input is cut
 * ({@link FuzzInput}), and a header ends exactly after its netstring's ','.
 */
class ScgiRequestParserFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void scgiRequestParser(byte[] input) {
        FuzzInput fuzz = FuzzInput.of(input);
        int headerEnd = netstringEnd(fuzz.payload());
        assertEquals(fuzz.outcome(ScgiRequestParser::new, false, headerEnd),
                fuzz.outcome(ScgiRequestParser::new, true, headerEnd), fuzz.describe());
    }

    /** Where a netstring {@code <length>:<content>,} at the start of {@code bytes} ends, or -1. */
    private static int netstringEnd(byte[] bytes) {
        long length = 0;
        for (int i = 0; i < bytes.length && i < 10; i++) {
            if (bytes[i] == ':') {
                return i == 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, i + 1 + length + 1);
            }
            if (bytes[i] < '0' || bytes[i] > '9') {
                return -1;
            }
            length = length * 10 + bytes[i] - '0';
        }
        return -1;
    }
}
