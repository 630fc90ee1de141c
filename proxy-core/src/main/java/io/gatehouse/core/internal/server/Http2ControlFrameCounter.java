package io.gatehouse.core.internal.server;

import java.nio.ByteBuffer;

/**
 * Counts the control frames an HTTP/2 client sends that make the server answer or work without
 * a request: SETTINGS and PING (each wants an ACK). Fed the client's bytes as they arrive, in any
 * split: the 24-byte connection preface, then frames of a 9-byte header (24-bit payload length,
 * type, flags, stream id) and a payload it skips.
 *
 * <p>Undertow answers every such frame and sets no limit on them: a client that sends them as fast
 * as it can keeps an I/O thread busy with nothing but ACKs, and every connection on that thread
 * waits (measured: other clients' TLS handshakes timing out). Not thread-safe: one connection's
 * reads, on its I/O thread.
 */
final class Http2ControlFrameCounter {

    /**
     * SETTINGS and PING frames a connection may send per {@link #WINDOW_NANOS}. A browser sends a
     * SETTINGS or two per connection and a PING now and then; keep-alive PINGs of gRPC-style
     * clients are seconds apart.
     */
    static final int MAX_CONTROL_FRAMES = 100;
    static final long WINDOW_NANOS = 10_000_000_000L;

    private static final int PREFACE_LENGTH = 24;
    private static final int HEADER_LENGTH = 9;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int ACK = 0x1;

    private int prefaceLeft;
    private final byte[] header = new byte[HEADER_LENGTH];
    private int headerFill;
    private long payloadLeft;
    private int count;
    private long windowStart;

    /** @param afterPreface true when the preface was consumed already (h2c upgrade) */
    Http2ControlFrameCounter(boolean afterPreface, long now) {
        this.prefaceLeft = afterPreface ? 0 : PREFACE_LENGTH;
        this.windowStart = now;
    }

    /**
     * Counts the frames in {@code bytes} (position to limit, left unchanged).
     *
     * @return false when the connection has sent more control frames than the limit allows
     */
    boolean accept(ByteBuffer bytes, long now) {
        for (int i = bytes.position(); i < bytes.limit(); ) {
            int left = bytes.limit() - i;
            if (prefaceLeft > 0) {
                int skip = Math.min(prefaceLeft, left);
                prefaceLeft -= skip;
                i += skip;
            } else if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, left);
                payloadLeft -= skip;
                i += skip;
            } else {
                header[headerFill++] = bytes.get(i++);
                if (headerFill == HEADER_LENGTH) {
                    headerFill = 0;
                    payloadLeft = ((header[0] & 0xffL) << 16) | ((header[1] & 0xffL) << 8) | (header[2] & 0xffL);
                    int type = header[3] & 0xff;
                    boolean ack = (header[4] & ACK) != 0;
                    if ((type == SETTINGS || type == PING) && !ack && !countOne(now)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private boolean countOne(long now) {
        if (now - windowStart > WINDOW_NANOS) {
            windowStart = now;
            count = 0;
        }
        return ++count <= MAX_CONTROL_FRAMES;
    }
}
