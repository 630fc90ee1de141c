package io.gatehouse.core.internal.cgi;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Turns a fuzzer's input into a payload and a {@link Feeding.Layout} to feed it in, so the fuzzer
 * chooses the cuts as well as the bytes. The last {@link #CONTROL_BYTES} bytes say how to cut:
 * <pre>
 * payload ... | first cut (u16, big-endian) | piece size (u8) | flags (u8)
 * </pre>
 * The payload is cut once at {@code first cut} (clamped to its length); the rest follows in pieces
 * of {@code piece size} bytes, or in one piece if that is 0. Flag bit 0 feeds direct buffers; the
 * other seven bits are {@link #outputSize()} - 1. An input shorter than the control bytes is a
 * payload fed whole.
 */
record FuzzInput(byte[] payload, Feeding.Layout layout, int outputSize) {

    static final int CONTROL_BYTES = 4;

    static FuzzInput of(byte[] input) {
        if (input.length < CONTROL_BYTES) {
            return new FuzzInput(input.clone(), new Feeding.Layout("whole", new int[0], false), 1);
        }
        int length = input.length - CONTROL_BYTES;
        int firstCut = Math.min(length, (input[length] & 0xFF) << 8 | input[length + 1] & 0xFF);
        int step = input[length + 2] & 0xFF;
        int flags = input[length + 3] & 0xFF;
        int[] cuts = IntStream.concat(IntStream.of(firstCut),
                step == 0 ? IntStream.empty() : IntStream.iterate(firstCut + step, at -> at < length, at -> at + step))
                .toArray();
        boolean direct = (flags & 1) != 0;
        Feeding.Layout layout = new Feeding.Layout("cuts " + Arrays.toString(cuts) + (direct ? ", direct" : ""),
                cuts, direct);
        return new FuzzInput(Arrays.copyOf(input, length), layout, (flags >> 1) + 1);
    }

    /** The same payload in one heap buffer: what the cut layout must agree with. */
    Feeding.Layout whole() {
        return new Feeding.Layout("whole", new int[0], false);
    }
}
