package io.gatehouse.core.internal.cgi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Feeds a byte stream to a parser in segments: whole, split at one offset, or byte by byte, from
 * heap or direct buffers. The split layouts are what every incremental-parser test runs through.
 */
final class Feeding {

    /** One way of cutting the input: the offsets where a new buffer starts. */
    record Layout(String name, int[] cuts, boolean direct) {

        List<ByteBuffer> segments(byte[] input) {
            List<ByteBuffer> segments = new ArrayList<>();
            int from = 0;
            for (int cut : cuts) {
                segments.add(buffer(input, from, cut));
                from = cut;
            }
            segments.add(buffer(input, from, input.length));
            return segments;
        }

        private ByteBuffer buffer(byte[] input, int from, int to) {
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(to - from) : ByteBuffer.allocate(to - from + 7);
            if (!direct) {
                // place the data at a non-zero array offset to exercise arrayOffset()/position handling
                b.position(3);
                b = b.slice();
                b.limit(to - from);
            }
            b.put(input, from, to - from).flip();
            return b;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Every single split offset (0..length), then byte by byte, then whole from a direct buffer. */
    static List<Layout> allLayouts(int length) {
        List<Layout> layouts = new ArrayList<>();
        for (int cut = 0; cut <= length; cut++) {
            layouts.add(new Layout("split at " + cut, new int[] {cut}, false));
        }
        layouts.add(byteByByte(length, false));
        layouts.add(byteByByte(length, true));
        layouts.add(new Layout("whole, direct", new int[0], true));
        return layouts;
    }

    static Layout byteByByte(int length, boolean direct) {
        return new Layout("byte by byte" + (direct ? ", direct" : ""),
                IntStream.range(1, length).toArray(), direct);
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** What a parser made of one input: the heads in order, the bytes after the final head, the partial flag. */
    record Outcome(List<CgiResponseHead> heads, String rest, boolean partialAtEnd) {

        CgiResponseHead last() {
            return heads.get(heads.size() - 1);
        }
    }

    /** Runs a fresh parser over {@code input} cut as {@code layout}, continuing after each 1xx head. */
    static Outcome parse(byte[] input, Layout layout) throws BadGatewayException {
        CgiResponseParser parser = new CgiResponseParser();
        List<CgiResponseHead> heads = new ArrayList<>();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        boolean finalHead = false;
        for (ByteBuffer segment : layout.segments(input)) {
            int rounds = 0;
            while (!finalHead && segment.hasRemaining()) {
                if (++rounds > input.length + 2) {
                    throw new AssertionError("parser made no progress on " + layout);
                }
                if (parser.parse(segment)) {
                    CgiResponseHead head = parser.head();
                    heads.add(head);
                    if (head.interim()) {
                        parser.continueAfterInterim();
                    } else {
                        finalHead = true;
                    }
                }
            }
            while (finalHead && segment.hasRemaining()) {
                rest.write(segment.get());
            }
        }
        return new Outcome(heads, text(rest.toByteArray()), parser.hasPartialHead());
    }
}
