package io.gatehouse.scgi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Feeds request bytes to a parser in pieces and checks the header/body boundary it reports. */
final class Feeder {

    /** What one feeding produced: the parser (complete), where the header ended, the body bytes seen. */
    record Parsed(RequestHeaderParser parser, int headerEnd, byte[] body) {
    }

    private Feeder() {
    }

    /** Feeds {@code input} as the pieces [0, split) and [split, length). */
    static Parsed feedSplit(Supplier<RequestHeaderParser> parsers, byte[] input, int split) throws ScgiException {
        return feed(parsers.get(), input, List.of(new int[] {0, split}, new int[] {split, input.length}));
    }

    /** Feeds {@code input} one byte at a time. */
    static Parsed feedByteByByte(Supplier<RequestHeaderParser> parsers, byte[] input) throws ScgiException {
        List<int[]> pieces = new ArrayList<>(input.length);
        for (int i = 0; i < input.length; i++) {
            pieces.add(new int[] {i, i + 1});
        }
        return feed(parsers.get(), input, pieces);
    }

    /** Feeds the whole input in one buffer. */
    static Parsed feedWhole(Supplier<RequestHeaderParser> parsers, byte[] input) throws ScgiException {
        return feed(parsers.get(), input, List.of(new int[] {0, input.length}));
    }

    /**
     * Checks for every split offset and byte by byte that the parser completes exactly at
     * {@code headerLength}, never consumes body bytes, and yields {@code check}'s expectations.
     */
    static void feedEveryWay(Supplier<RequestHeaderParser> parsers, byte[] input, int headerLength,
            ParsedCheck check) throws ScgiException {
        for (int split = 0; split <= input.length; split++) {
            Parsed parsed = feedSplit(parsers, input, split);
            assertEquals(headerLength, parsed.headerEnd(), "header end, split at " + split);
            check.verify(parsed, "split at " + split);
        }
        Parsed parsed = feedByteByByte(parsers, input);
        assertEquals(headerLength, parsed.headerEnd(), "header end, byte by byte");
        check.verify(parsed, "byte by byte");
    }

    /** Assertions on one feeding result. */
    @FunctionalInterface
    interface ParsedCheck {
        void verify(Parsed parsed, String how);
    }

    private static Parsed feed(RequestHeaderParser parser, byte[] input, List<int[]> pieces) throws ScgiException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int headerEnd = -1;
        for (int[] piece : pieces) {
            ByteBuffer in = ByteBuffer.wrap(input, piece[0], piece[1] - piece[0]);
            if (headerEnd < 0) {
                boolean complete = parser.parse(in);
                if (!complete) {
                    assertFalse(in.hasRemaining(), "an incomplete header must consume the whole buffer");
                    continue;
                }
                headerEnd = in.position();
                assertTrue(parser.parse(ByteBuffer.allocate(0)), "a complete parser stays complete");
            }
            body.write(input, in.position(), in.remaining());
        }
        if (headerEnd < 0) {
            fail("header never completed after " + input.length + " bytes");
        }
        return new Parsed(parser, headerEnd, body.toByteArray());
    }
}
