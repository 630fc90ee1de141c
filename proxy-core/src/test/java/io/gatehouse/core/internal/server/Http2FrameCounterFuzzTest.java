package io.gatehouse.core.internal.server;

import java.nio.ByteBuffer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gatehouse.core.internal.server.Http2FrameCounter.Verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes {@link Http2FrameCounter} with a client's bytes (after the input's first byte, which
 * says whether the preface is still to come and how to split them): whatever the bytes, the counter
 * reaches the same verdict fed them whole as fed them in pieces, and the buffer it was given is
 * left as it was; never an exception.
 */
class Http2FrameCounterFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void frames(byte[] input) {
        if (input.length == 0) {
            return;
        }
        boolean afterPreface = (input[0] & 0x80) != 0;
        int piece = 1 + (input[0] & 0x7f);
        Verdict whole = new Http2FrameCounter(afterPreface, 0, streamId -> { }).accept(ByteBuffer.wrap(input, 1, input.length - 1), 1);
        Http2FrameCounter counter = new Http2FrameCounter(afterPreface, 0, streamId -> { });
        Verdict split = Verdict.ACCEPTED;
        for (int at = 1; at < input.length && split == Verdict.ACCEPTED; at += piece) {
            ByteBuffer bytes = ByteBuffer.wrap(input, at, Math.min(piece, input.length - at));
            int position = bytes.position();
            split = counter.accept(bytes, 1);
            assertEquals(position, bytes.position(), "the counter moved the buffer it reads");
        }
        assertEquals(whole, split, "split into pieces of " + piece);
    }
}
