package io.gatehouse.core.internal.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.gatehouse.core.internal.server.Http2FrameCounter.Budget;
import io.gatehouse.core.internal.server.Http2FrameCounter.Verdict;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The frame counter fed a client's bytes whole, split at every offset, and byte by byte. */
class Http2FrameCounterTest {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static void frame(ByteArrayOutputStream out, int type, int flags, int payloadLength) {
        frame(out, type, flags, payloadLength, 1);
    }

    /** @param stream all 32 bits of the field, the reserved one too */
    private static void frame(ByteArrayOutputStream out, int type, int flags, int payloadLength, int stream) {
        out.writeBytes(new byte[] {(byte) (payloadLength >>> 16), (byte) (payloadLength >>> 8), (byte) payloadLength,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream});
        // A payload that looks like frame headers of SETTINGS: it must be skipped, not counted.
        for (int i = 0; i < payloadLength; i++) {
            out.write(i % 9 == 3 ? 0x4 : 0);
        }
    }

    /** The preface, then {@code settings} SETTINGS frames among DATA, HEADERS, SETTINGS ACKs and PINGs ACKs. */
    private static byte[] client(int settings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE);
        for (int i = 0; i < settings; i++) {
            frame(out, 0x4, 0, 6);
            frame(out, 0x0, 0, 40); // DATA
            frame(out, 0x4, 0x1, 0); // SETTINGS ACK: an answer, not counted
            frame(out, 0x6, 0x1, 8); // PING ACK
        }
        return out.toByteArray();
    }

    /** The preface, then {@code resets} streams each opened by HEADERS and reset, among WINDOW_UPDATEs. */
    private static byte[] rapidReset(int resets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE);
        for (int i = 0; i < resets; i++) {
            frame(out, 0x1, 0x5, 30); // HEADERS, END_STREAM | END_HEADERS
            frame(out, 0x3, 0, 4); // RST_STREAM
            frame(out, 0x8, 0, 4); // WINDOW_UPDATE
        }
        return out.toByteArray();
    }

    /** The preface, then two header blocks, each a HEADERS frame and {@code continuations} empty CONTINUATIONs. */
    private static byte[] continued(int continuations) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE);
        for (int block = 0; block < 2; block++) {
            frame(out, 0x1, 0, 30); // HEADERS without END_HEADERS
            for (int i = 0; i < continuations; i++) {
                frame(out, 0x9, i == continuations - 1 ? 0x4 : 0, 0);
            }
        }
        return out.toByteArray();
    }

    /** Feeds {@code bytes} in pieces ({@code firstPiece}, then {@code piece} each); what the counter says of them. */
    private static Verdict feed(byte[] bytes, int firstPiece, int piece) {
        Http2FrameCounter counter = new Http2FrameCounter(false, 0, streamId -> { });
        int at = 0;
        for (int size = firstPiece; at < bytes.length; size = piece) {
            int n = Math.min(size, bytes.length - at);
            Verdict verdict = counter.accept(ByteBuffer.wrap(bytes, at, n), 1);
            if (verdict != Verdict.ACCEPTED) {
                return verdict;
            }
            at += n;
        }
        return Verdict.ACCEPTED;
    }

    private static void assertLimitHoldsHoweverSplit(byte[] atLimit, byte[] overLimit, Verdict flood) {
        assertEquals(Verdict.ACCEPTED, feed(atLimit, atLimit.length, 1));
        assertEquals(flood, feed(overLimit, overLimit.length, 1));
        for (int split = 0; split <= 120; split++) {
            assertEquals(Verdict.ACCEPTED, feed(atLimit, split, 7919), "split at " + split);
            assertEquals(flood, feed(overLimit, split, 7919), "split at " + split);
        }
        assertEquals(Verdict.ACCEPTED, feed(atLimit, 1, 1), "byte by byte");
        assertEquals(flood, feed(overLimit, 1, 1), "byte by byte");
    }

    @Test
    void theControlFrameLimitHoldsHoweverTheBytesAreSplit() {
        assertLimitHoldsHoweverSplit(client(Budget.CONTROL.limit), client(Budget.CONTROL.limit + 1),
                Verdict.CONTROL_FLOOD);
    }

    @Test
    void theResetLimitHoldsHoweverTheBytesAreSplit() {
        assertLimitHoldsHoweverSplit(rapidReset(Budget.RESETS.limit), rapidReset(Budget.RESETS.limit + 1),
                Verdict.RESET_FLOOD);
    }

    /** Empty CONTINUATION frames: Undertow bounds a header block's bytes, so they never ran out. */
    @Test
    void emptyContinuationFramesAreCountedPerHeaderBlockHoweverTheBytesAreSplit() {
        assertLimitHoldsHoweverSplit(continued(Http2FrameCounter.MAX_CONTINUATIONS),
                continued(Http2FrameCounter.MAX_CONTINUATIONS + 1), Verdict.CONTINUATION_FLOOD);
    }

    /** Each reset's stream is told, so that its request can be let go; the reserved bit is not part of the id. */
    @Test
    void resetStreamsAreToldHoweverTheBytesAreSplit() {
        int[] streams = {3, 0x7fffffff, 0x10203, 0x80000005};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE);
        for (int stream : streams) {
            frame(out, 0x1, 0x5, 30, stream);
            frame(out, 0x3, 0, 4, stream);
            frame(out, 0x0, 0, 9, stream); // DATA whose payload looks like a frame header
        }
        byte[] bytes = out.toByteArray();
        List<Integer> expected = List.of(3, 0x7fffffff, 0x10203, 5);
        for (int piece = 1; piece <= bytes.length; piece++) {
            List<Integer> told = new ArrayList<>();
            Http2FrameCounter counter = new Http2FrameCounter(false, 0, told::add);
            for (int at = 0; at < bytes.length; at += piece) {
                assertEquals(Verdict.ACCEPTED, counter.accept(ByteBuffer.wrap(bytes, at, Math.min(piece, bytes.length - at)), 1));
            }
            assertEquals(expected, told, "in pieces of " + piece);
        }
    }

    /**
     * Where a read may end inside an unfinished header block: fed one byte at a time, the counter
     * says so exactly at the ends of a HEADERS frame without END_HEADERS and of a CONTINUATION
     * without it, and nowhere else (not inside a frame, not after the block's last frame).
     */
    @Test
    void theEndOfAFrameInsideAnUnfinishedHeaderBlockIsTold() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE);
        frame(out, 0x4, 0, 6); // SETTINGS
        frame(out, 0x1, 0x1, 30); // HEADERS, END_STREAM without END_HEADERS: ends at 24 + 15 + 39 = 78
        frame(out, 0x9, 0, 10); // CONTINUATION without END_HEADERS: ends at 97
        frame(out, 0x9, 0x4, 0); // CONTINUATION, END_HEADERS: the block's end
        frame(out, 0x1, 0x5, 20); // HEADERS, END_STREAM | END_HEADERS: a whole block
        frame(out, 0x0, 0, 12); // DATA
        byte[] bytes = out.toByteArray();
        Http2FrameCounter counter = new Http2FrameCounter(false, 0, streamId -> { });
        List<Integer> told = new ArrayList<>();
        for (int at = 0; at < bytes.length; at++) {
            assertEquals(Verdict.ACCEPTED, counter.accept(ByteBuffer.wrap(bytes, at, 1), 1));
            if (counter.endsInsideHeaderBlock()) {
                told.add(at + 1);
            }
        }
        assertEquals(List.of(78, 97), told);
        H2cFrameCounter h2c = new H2cFrameCounter(streamId -> { });
        h2c.accept(ByteBuffer.wrap(bytes, 0, 78), 1);
        assertEquals(true, h2c.endsInsideHeaderBlock(), "by prior knowledge");
    }

    @Test
    void resetsAndControlFramesHaveBudgetsOfTheirOwn() {
        Http2FrameCounter counter = new Http2FrameCounter(false, 0, streamId -> { });
        assertEquals(Verdict.ACCEPTED, counter.accept(ByteBuffer.wrap(rapidReset(Budget.RESETS.limit)), 1));
        ByteArrayOutputStream settings = new ByteArrayOutputStream();
        for (int i = 0; i < Budget.CONTROL.limit; i++) {
            frame(settings, 0x4, 0, 6);
        }
        assertEquals(Verdict.ACCEPTED, counter.accept(ByteBuffer.wrap(settings.toByteArray()), 1));
        ByteArrayOutputStream oneReset = new ByteArrayOutputStream();
        frame(oneReset, 0x3, 0, 4);
        assertEquals(Verdict.RESET_FLOOD, counter.accept(ByteBuffer.wrap(oneReset.toByteArray()), 1));
        long later = 1 + Budget.RESETS.windowNanos + 1;
        assertEquals(Verdict.ACCEPTED, counter.accept(ByteBuffer.wrap(oneReset.toByteArray()), later),
                "a new window starts afresh");
    }

    @Test
    void pingsCountAndTheWindowMoves() {
        Http2FrameCounter counter = new Http2FrameCounter(true, 0, streamId -> { });
        ByteArrayOutputStream ping = new ByteArrayOutputStream();
        frame(ping, 0x6, 0, 8);
        for (int i = 0; i < Budget.CONTROL.limit; i++) {
            assertEquals(Verdict.ACCEPTED, counter.accept(ByteBuffer.wrap(ping.toByteArray()), 1));
        }
        assertEquals(Verdict.CONTROL_FLOOD, counter.accept(ByteBuffer.wrap(ping.toByteArray()), 1));
        long later = 1 + Budget.CONTROL.windowNanos + 1;
        assertEquals(Verdict.ACCEPTED, counter.accept(ByteBuffer.wrap(ping.toByteArray()), later),
                "a new window starts afresh");
        ByteBuffer unchanged = ByteBuffer.wrap(ping.toByteArray());
        counter.accept(unchanged, later);
        assertEquals(0, unchanged.position(), "the buffer is only looked at");
    }
}
