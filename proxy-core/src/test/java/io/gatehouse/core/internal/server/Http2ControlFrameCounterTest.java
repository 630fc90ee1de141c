package io.gatehouse.core.internal.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control-frame counter fed a client's bytes whole, split at every offset, and byte by byte. */
class Http2ControlFrameCounterTest {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static void frame(ByteArrayOutputStream out, int type, int flags, int payloadLength) {
        out.writeBytes(new byte[] {(byte) (payloadLength >>> 16), (byte) (payloadLength >>> 8), (byte) payloadLength,
                (byte) type, (byte) flags, 0, 0, 0, 1});
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

    /** Feeds {@code bytes} in pieces ({@code firstPiece}, then {@code piece} each); whether the counter took them all. */
    private static boolean feed(byte[] bytes, int firstPiece, int piece) {
        Http2ControlFrameCounter counter = new Http2ControlFrameCounter(false, 0);
        int at = 0;
        for (int size = firstPiece; at < bytes.length; size = piece) {
            int n = Math.min(size, bytes.length - at);
            if (!counter.accept(ByteBuffer.wrap(bytes, at, n), 1)) {
                return false;
            }
            at += n;
        }
        return true;
    }

    @Test
    void theLimitHoldsHoweverTheBytesAreSplit() {
        byte[] atLimit = client(Http2ControlFrameCounter.MAX_CONTROL_FRAMES);
        byte[] overLimit = client(Http2ControlFrameCounter.MAX_CONTROL_FRAMES + 1);
        assertTrue(feed(atLimit, atLimit.length, 1));
        assertFalse(feed(overLimit, overLimit.length, 1));
        for (int split = 0; split <= 120; split++) {
            assertTrue(feed(atLimit, split, 7919), "split at " + split);
            assertFalse(feed(overLimit, split, 7919), "split at " + split);
        }
        assertTrue(feed(atLimit, 1, 1), "byte by byte");
        assertFalse(feed(overLimit, 1, 1), "byte by byte");
    }

    @Test
    void pingsCountAndTheWindowMoves() {
        Http2ControlFrameCounter counter = new Http2ControlFrameCounter(true, 0);
        ByteArrayOutputStream ping = new ByteArrayOutputStream();
        frame(ping, 0x6, 0, 8);
        for (int i = 0; i < Http2ControlFrameCounter.MAX_CONTROL_FRAMES; i++) {
            assertTrue(counter.accept(ByteBuffer.wrap(ping.toByteArray()), 1));
        }
        long later = 1 + Http2ControlFrameCounter.WINDOW_NANOS + 1;
        assertTrue(counter.accept(ByteBuffer.wrap(ping.toByteArray()), later), "a new window starts afresh");
        ByteBuffer unchanged = ByteBuffer.wrap(ping.toByteArray());
        counter.accept(unchanged, later);
        assertEquals(0, unchanged.position(), "the buffer is only looked at");
    }
}
