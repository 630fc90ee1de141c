package io.gatehouse.fcgi;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link FcgiResponseParser} (and {@link RecordFramer} under it) with what an application
 * might send back: the outcome is the events or an {@link FcgiException}, and is the same however
 * the input is cut. Seeds are in {@code FcgiResponseParserFuzzTestInputs/responseParser/}; see
 * {@link FuzzInput} for how an input is cut.
 */
class FcgiResponseParserFuzzTest {

    private static final int REQUEST_ID = 1;

    @FuzzTest(maxDuration = "15s")
    void responseParser(byte[] input) {
        FuzzInput fuzz = FuzzInput.of(input);
        int length = fuzz.payload().length;
        assertEquals(outcome(fuzz.whole(), length), outcome(fuzz.cut(), length), fuzz.cut().name());
    }

    private static String outcome(Feeds.Feed feed, int length) {
        try {
            ResponseEvents events = ResponseEvents.parse(REQUEST_ID, feed);
            assertTrue(events.stdoutBytes + events.leftover.size() <= length,
                    "more bytes out than in: " + events.stdoutBytes + " stdout, " + events.leftover.size() + " left over");
            return events.lines() + ", " + events.leftover.size() + " bytes left over";
        } catch (FcgiException e) {
            return "failed: " + e.getMessage();
        }
    }
}
