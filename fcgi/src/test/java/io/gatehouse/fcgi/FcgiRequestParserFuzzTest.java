package io.gatehouse.fcgi;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes {@link FcgiRequestParser}, the application side, with what a web server (or anyone who
 * reaches the socket) might send: the outcome is the events or an {@link FcgiException}, and is
 * the same however the input is cut ({@link FuzzInput}). Params go through {@link NameValuePairs}.
 */
class FcgiRequestParserFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void requestParser(byte[] input) {
        FuzzInput fuzz = FuzzInput.of(input);
        assertEquals(outcome(fuzz.whole()), outcome(fuzz.cut()), fuzz.cut().name());
    }

    private static String outcome(Feeds.Feed feed) {
        try {
            return RequestEvents.parse(feed).lines().toString();
        } catch (FcgiException e) {
            return "failed: " + e.getMessage();
        }
    }
}
