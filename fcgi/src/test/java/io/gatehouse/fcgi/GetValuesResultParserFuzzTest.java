package io.gatehouse.fcgi;

import java.nio.ByteBuffer;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link GetValuesResultParser} with what an application might answer to GET_VALUES: the
 * outcome is the values or an {@link FcgiException}, and is the same however the input is cut
 * ({@link FuzzInput}).
 */
class GetValuesResultParserFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void getValuesResultParser(byte[] input) {
        FuzzInput fuzz = FuzzInput.of(input);
        assertEquals(outcome(fuzz.whole()), outcome(fuzz.cut()), fuzz.cut().name());
    }

    private static String outcome(Feeds.Feed feed) {
        GetValuesResultParser parser = new GetValuesResultParser();
        int left = 0;
        try {
            for (ByteBuffer piece : feed.pieces()) {
                if (parser.isComplete()) {
                    left += piece.remaining();
                } else if (parser.parse(piece)) {
                    left += piece.remaining();
                } else {
                    assertEquals(0, piece.remaining(), "bytes left unread before the answer was complete");
                }
            }
        } catch (FcgiException e) {
            return "failed: " + e.getMessage();
        }
        if (!parser.isComplete()) {
            return "incomplete";
        }
        assertTrue(parser.unknownType() == -1 || parser.values().isEmpty(), "UNKNOWN_TYPE with values");
        return parser.values() + " unknownType=" + parser.unknownType() + ", " + left + " bytes left over";
    }
}
