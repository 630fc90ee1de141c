package io.gatehouse.core.internal.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.gatehouse.core.internal.server.Http2FrameCounter.Budget;
import io.gatehouse.core.internal.server.Http2FrameCounter.Verdict;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A plain connection's bytes: HTTP/1.1 passes uncounted, frames are counted from the preface on. */
class H2cFrameCounterTest {

    private static final byte[] UPGRADE = ("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    /** {@code count} SETTINGS frames, each with an empty payload. */
    private static byte[] settings(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.writeBytes(new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0});
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Feeds {@code bytes} split at {@code split}, then in pieces of 7; what the counter says. */
    private static Verdict feed(byte[] bytes, int split) {
        H2cFrameCounter counter = new H2cFrameCounter(streamId -> { });
        for (int at = 0, size = split; at < bytes.length; at += size, size = 7) {
            int n = Math.min(size, bytes.length - at);
            Verdict verdict = counter.accept(ByteBuffer.wrap(bytes, at, n), 1);
            if (verdict != Verdict.ACCEPTED) {
                return verdict;
            }
        }
        return Verdict.ACCEPTED;
    }

    @Test
    void http11BytesAreNotCounted() {
        // Bytes that would be a SETTINGS flood, as an HTTP/1.1 body before any preface.
        byte[] body = settings(Budget.CONTROL.limit * 3);
        byte[] request = concat(("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), body);
        assertEquals(Verdict.ACCEPTED, feed(concat(request, request), 5));
    }

    @Test
    void priorKnowledgeAndUpgradeAreCountedFromThePrefaceHoweverSplit() {
        byte[] overLimit = settings(Budget.CONTROL.limit + 1);
        byte[] atLimit = settings(Budget.CONTROL.limit);
        byte[] preface = H2cFrameCounter.PREFACE;
        for (int split = 0; split <= UPGRADE.length + preface.length; split++) {
            assertEquals(Verdict.CONTROL_FLOOD, feed(concat(preface, overLimit), split), "prior knowledge, split " + split);
            assertEquals(Verdict.ACCEPTED, feed(concat(preface, atLimit), split), "prior knowledge, split " + split);
            assertEquals(Verdict.CONTROL_FLOOD, feed(concat(UPGRADE, preface, overLimit), split), "upgrade, split " + split);
            assertEquals(Verdict.ACCEPTED, feed(concat(UPGRADE, preface, atLimit), split), "upgrade, split " + split);
        }
    }

    @Test
    void aPrefaceAfterAPartialOneIsFound() {
        byte[] preface = H2cFrameCounter.PREFACE;
        byte[] partial = Arrays.copyOf(preface, 20); // "PRI * HTTP/2.0\r\n\r\nSM" then the real one
        assertEquals(Verdict.CONTROL_FLOOD, feed(concat(partial, preface, settings(Budget.CONTROL.limit + 1)), 3));
        byte[] almost = Arrays.copyOf(preface, 18); // up to the blank line, which the real one repeats
        assertEquals(Verdict.CONTROL_FLOOD, feed(concat(almost, preface, settings(Budget.CONTROL.limit + 1)), 1));
    }
}
