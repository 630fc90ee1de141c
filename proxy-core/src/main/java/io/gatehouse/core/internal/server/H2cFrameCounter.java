package io.gatehouse.core.internal.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;

/**
 * Counts the HTTP/2 frames of a plain connection that may turn into HTTP/2 (h2c): by prior
 * knowledge, when it starts with HTTP/2's connection preface, or by {@code Upgrade: h2c}, when the
 * client sends the preface after the server's 101. The bytes before the preface are HTTP/1.1 and
 * pass uncounted; from the preface on, an {@link Http2FrameCounter} counts.
 *
 * <p>The preface is looked for in every byte until it is found, so no HTTP/1.1 framing (a body,
 * a pipelined request) can hide where HTTP/2 begins. A request body that happens to hold the
 * preface makes the rest of its connection counted as frames: only a client that sends it can
 * be cut off by that.
 *
 * <p>Not thread-safe: one connection's reads, on its I/O thread.
 */
final class H2cFrameCounter implements ClientFrameCounter {

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** For each length of preface matched, how much of it still matches after a mismatch (KMP). */
    private static final int[] FALLBACK = fallback(PREFACE);

    private final IntConsumer resetStreams;
    private int matched;
    private Http2FrameCounter frames;

    /** @param resetStreams see {@link Http2FrameCounter#Http2FrameCounter(boolean, long, IntConsumer)} */
    H2cFrameCounter(IntConsumer resetStreams) {
        this.resetStreams = resetStreams;
    }

    @Override
    public Http2FrameCounter.Verdict accept(ByteBuffer bytes, long now) {
        if (frames != null) {
            return frames.accept(bytes, now);
        }
        for (int i = bytes.position(); i < bytes.limit(); i++) {
            byte b = bytes.get(i);
            while (matched > 0 && PREFACE[matched] != b) {
                matched = FALLBACK[matched - 1];
            }
            if (PREFACE[matched] == b && ++matched == PREFACE.length) {
                frames = new Http2FrameCounter(true, now, resetStreams);
                ByteBuffer rest = bytes.duplicate();
                rest.position(i + 1);
                return frames.accept(rest, now);
            }
        }
        return Http2FrameCounter.Verdict.ACCEPTED;
    }

    @Override
    public boolean endsInsideHeaderBlock() {
        return frames != null && frames.endsInsideHeaderBlock();
    }

    private static int[] fallback(byte[] pattern) {
        int[] table = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = table[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }
}
