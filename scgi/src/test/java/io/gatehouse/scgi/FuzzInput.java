package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Turns a fuzzer's input into the pieces a request header parser is fed, so the fuzzer chooses the
 * cuts as well as the bytes. The last {@link #CONTROL_BYTES} bytes say how to cut, the rest is the
 * payload:
 * <pre>
 * payload ... | first cut (u16, big-endian) | piece size (u8) | flags (u8)
 * </pre>
 * The payload is cut once at {@code first cut} (clamped to its length); the rest follows in pieces
 * of {@code piece size} bytes, or in one piece if that is 0. Flag bit 0 puts each piece in a direct
 * buffer, else in a slice of a larger array. An input shorter than the control bytes is fed whole.
 */
final class FuzzInput {

    static final int CONTROL_BYTES = 4;

    private final byte[] payload;
    private final int[] cuts;
    private final boolean direct;

    private FuzzInput(byte[] input) {
        int length = Math.max(0, input.length - CONTROL_BYTES);
        if (input.length < CONTROL_BYTES) {
            payload = input.clone();
            cuts = new int[0];
            direct = false;
            return;
        }
        payload = Arrays.copyOf(input, length);
        int firstCut = Math.min(length, (input[length] & 0xFF) << 8 | input[length + 1] & 0xFF);
        int step = input[length + 2] & 0xFF;
        List<Integer> at = new ArrayList<>(List.of(firstCut));
        for (int cut = firstCut + step; step > 0 && cut < length; cut += step) {
            at.add(cut);
        }
        cuts = at.stream().mapToInt(Integer::intValue).toArray();
        direct = (input[length + 3] & 1) != 0;
    }

    static FuzzInput of(byte[] input) {
        return new FuzzInput(input);
    }

    byte[] payload() {
        return payload.clone();
    }

    /** How the input is cut, for assertion messages. */
    String describe() {
        return "cuts " + Arrays.toString(cuts) + (direct ? ", direct" : "");
    }

    /**
     * Feeds the pieces (or the payload whole) to a new parser until it completes, and describes the
     * result: the variables, CONTENT_LENGTH and where the header ended, or the failure. Checks that
     * an incomplete header consumes each piece and that the end is where {@code headerEnd} says.
     *
     * @param headerEnd the header length the payload's own framing announces, or -1 if it has none
     */
    String outcome(Supplier<RequestHeaderParser> parsers, boolean cut, int headerEnd) {
        RequestHeaderParser parser = parsers.get();
        int from = 0;
        try {
            for (int to : cut ? withEnd(cuts) : new int[] {payload.length}) {
                ByteBuffer piece = piece(from, to);
                if (parser.parse(piece)) {
                    int end = from + piece.position();
                    assertEquals(headerEnd, end, "header end");
                    assertTrue(parser.parse(ByteBuffer.allocate(0)), "a complete parser stays complete");
                    return parser.env() + " CONTENT_LENGTH=" + parser.contentLength() + ", header of " + end;
                }
                assertFalse(piece.hasRemaining(), "an incomplete header must consume the whole buffer");
                from = to;
            }
            return "incomplete";
        } catch (ScgiException e) {
            return "failed: " + e.getMessage();
        }
    }

    private int[] withEnd(int[] at) {
        int[] all = Arrays.copyOf(at, at.length + 1);
        all[at.length] = payload.length;
        return all;
    }

    private ByteBuffer piece(int from, int to) {
        if (direct) {
            return ByteBuffer.allocateDirect(to - from).put(payload, from, to - from).flip();
        }
        byte[] framed = new byte[to - from + 6];
        Arrays.fill(framed, (byte) 0x5A);
        System.arraycopy(payload, from, framed, 3, to - from);
        return ByteBuffer.wrap(framed, 3, to - from).slice();
    }
}
