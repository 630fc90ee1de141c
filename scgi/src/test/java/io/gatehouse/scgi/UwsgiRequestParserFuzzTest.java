package io.gatehouse.scgi;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes {@link UwsgiRequestParser} with what a client of a uwsgi application might send: the
 * outcome is a header or an {@link ScgiException}, the same however the input is cut
 * ({@link FuzzInput}), and a header ends exactly after the datasize its packet header announces.
 */
class UwsgiRequestParserFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void uwsgiRequestParser(byte[] input) {
        FuzzInput fuzz = FuzzInput.of(input);
        byte[] payload = fuzz.payload();
        int headerEnd = payload.length < Uwsgi.HEADER_LENGTH ? -1
                : Uwsgi.HEADER_LENGTH + ((payload[1] & 0xFF) | (payload[2] & 0xFF) << 8);
        assertEquals(fuzz.outcome(UwsgiRequestParser::new, false, headerEnd),
                fuzz.outcome(UwsgiRequestParser::new, true, headerEnd), fuzz.describe());
    }
}
