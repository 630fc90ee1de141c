package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ways to cut one input into pieces for an incremental parser: whole, split in two at every
 * offset, and byte by byte. Each piece sits inside a larger array at a non-zero position so
 * parsers are also checked for honouring position and limit.
 */
final class Feeds {

    /** Bytes around every piece, so a parser that reads past its limit or from index 0 is caught. */
    private static final int GUARD = 3;

    private Feeds() {
    }

    /** A named way of cutting the input. */
    record Feed(String name, List<ByteBuffer> pieces) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Whole, every two-piece split (including an empty first or last piece), byte by byte. */
    static List<Feed> all(byte[] input) {
        List<Feed> feeds = new ArrayList<>();
        feeds.add(new Feed("whole", List.of(piece(input, 0, input.length))));
        for (int at = 0; at <= input.length; at++) {
            feeds.add(new Feed("split at " + at, List.of(piece(input, 0, at), piece(input, at, input.length))));
        }
        feeds.add(byteByByte(input));
        return feeds;
    }

    static Feed byteByByte(byte[] input) {
        List<ByteBuffer> pieces = new ArrayList<>(input.length);
        for (int i = 0; i < input.length; i++) {
            pieces.add(piece(input, i, i + 1));
        }
        return new Feed("byte by byte", pieces);
    }

    /** Cuts at the given offsets only: for inputs too large to split at every offset. */
    static Feed splitAt(byte[] input, int... offsets) {
        List<ByteBuffer> pieces = new ArrayList<>();
        int from = 0;
        for (int at : offsets) {
            pieces.add(piece(input, from, at));
            from = at;
        }
        pieces.add(piece(input, from, input.length));
        return new Feed("split at " + Arrays.toString(offsets), pieces);
    }

    /** Bytes {@code from..to} of {@code input} as a buffer positioned inside a larger, guarded array. */
    static ByteBuffer piece(byte[] input, int from, int to) {
        byte[] framed = new byte[GUARD + (to - from) + GUARD];
        Arrays.fill(framed, (byte) 0x5A);
        System.arraycopy(input, from, framed, GUARD, to - from);
        return ByteBuffer.wrap(framed, GUARD, to - from);
    }

    static byte[] bytes(ByteBuffer... buffers) {
        int total = 0;
        for (ByteBuffer buffer : buffers) {
            total += buffer.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (ByteBuffer buffer : buffers) {
            all.put(buffer.duplicate());
        }
        return all.array();
    }
}
