package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a fuzzer's input into the pieces an incremental parser is fed, so the fuzzer chooses the
 * cuts as well as the bytes. The last {@link #CONTROL_BYTES} bytes say how to cut, the rest is the
 * payload:
 * <pre>
 * payload ... | first cut (u16, big-endian) | piece size (u8) | flags (u8)
 * </pre>
 * The payload is cut once at {@code first cut} (clamped to its length); the rest follows in pieces
 * of {@code piece size} bytes, or in one piece if that is 0. Flag bit 0 puts each piece in a direct
 * buffer; otherwise it sits inside a larger array, at a non-zero position, and with bit 1 also at
 * a non-zero array offset. An input shorter than the control bytes is a payload fed whole.
 */
final class FuzzInput {

    static final int CONTROL_BYTES = 4;

    private final byte[] payload;
    private final int firstCut;
    private final int pieceSize;
    private final int flags;

    private FuzzInput(byte[] input) {
        int length = input.length >= CONTROL_BYTES ? input.length - CONTROL_BYTES : input.length;
        payload = Arrays.copyOf(input, length);
        if (length == input.length) {
            firstCut = length;
            pieceSize = 0;
            flags = 0;
        } else {
            firstCut = Math.min(length, (input[length] & 0xFF) << 8 | input[length + 1] & 0xFF);
            pieceSize = input[length + 2] & 0xFF;
            flags = input[length + 3] & 0xFF;
        }
    }

    static FuzzInput of(byte[] input) {
        return new FuzzInput(input);
    }

    /** The bytes the parser sees. */
    byte[] payload() {
        return payload.clone();
    }

    /** The payload in one piece: what the cut feed must agree with. */
    Feeds.Feed whole() {
        return new Feeds.Feed("whole", List.of(piece(0, payload.length)));
    }

    /** The payload in the pieces the control bytes choose. */
    Feeds.Feed cut() {
        List<ByteBuffer> pieces = new ArrayList<>();
        pieces.add(piece(0, firstCut));
        int step = pieceSize == 0 ? Math.max(1, payload.length - firstCut) : pieceSize;
        for (int from = firstCut; from < payload.length; from += step) {
            pieces.add(piece(from, Math.min(payload.length, from + step)));
        }
        return new Feeds.Feed("cut at " + firstCut + ", then pieces of " + pieceSize + ", flags " + flags, pieces);
    }

    private ByteBuffer piece(int from, int to) {
        if ((flags & 1) != 0) {
            ByteBuffer direct = ByteBuffer.allocateDirect(to - from);
            direct.put(payload, from, to - from).flip();
            return direct;
        }
        ByteBuffer heap = Feeds.piece(payload, from, to);
        return (flags & 2) != 0 ? heap.slice() : heap;
    }
}
