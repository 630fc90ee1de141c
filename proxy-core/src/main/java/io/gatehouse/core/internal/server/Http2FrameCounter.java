package io.gatehouse.core.internal.server;

import java.nio.ByteBuffer;
import java.util.function.IntConsumer;

/**
 * Counts the frames an HTTP/2 client sends that make the server work without a request it gets to
 * answer: SETTINGS and PING (each wants an ACK), RST_STREAM (each cancels a request that may
 * already be on its way to a backend) and CONTINUATION (each continues a header block). Fed the client's bytes as they arrive, in any split: the
 * 24-byte connection preface, then frames of a 9-byte header (24-bit payload length, type, flags,
 * stream id) and a payload it skips.
 *
 * <p>Undertow sets no limit on SETTINGS and PING: a client that sends them as fast as it can keeps
 * an I/O thread busy with nothing but ACKs, and every connection on that thread waits (measured:
 * other clients' TLS handshakes timing out). Its reset limit counts only streams whose response
 * has begun or ended, not one reset while its request waits for the backend: "rapid reset"
 * (CVE-2023-44487) opens and cancels streams so, each cancel freeing the stream's slot in the
 * concurrency limit while its request goes on (measured: 5,000 streams opened and reset on one
 * connection all reached the backend). Here every reset counts, and its stream id is passed on,
 * so that the request it cancels can be let go.
 *
 * <p>Not thread-safe: one connection's reads, on its I/O thread.
 */
final class Http2FrameCounter implements ClientFrameCounter {

    /** What a client's bytes amount to. */
    enum Verdict {
        ACCEPTED(""),
        CONTROL_FLOOD("more than " + Budget.CONTROL.limit + " SETTINGS/PING frames in "
                + Budget.CONTROL.windowNanos / 1_000_000_000L + " s"),
        RESET_FLOOD("more than " + Budget.RESETS.limit + " RST_STREAM frames in "
                + Budget.RESETS.windowNanos / 1_000_000_000L + " s (rapid reset)"),
        CONTINUATION_FLOOD("more than " + MAX_CONTINUATIONS + " CONTINUATION frames in one header block");

        private final String description;

        Verdict(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }

    /** How many frames of a kind a connection may send per window. */
    enum Budget {
        /**
         * A browser sends a SETTINGS or two per connection and a PING now and then; keep-alive
         * PINGs of gRPC-style clients are seconds apart.
         */
        CONTROL(100, 10_000_000_000L),
        /**
         * Undertow's default numbers. A browser resets the streams in flight when the user leaves a
         * page, at most the 8 a connection may have open at once.
         */
        RESETS(200, 30_000_000_000L);

        final int limit;
        final long windowNanos;

        Budget(int limit, long windowNanos) {
            this.limit = limit;
            this.windowNanos = windowNanos;
        }
    }

    /**
     * CONTINUATION frames one header block may have. Undertow bounds a block's bytes, not its
     * frames: empty ones kept a connection's I/O thread parsing for as long as the client sent
     * them. A real client's block fits in a frame or two; nghttp2 allows 8 too.
     */
    static final int MAX_CONTINUATIONS = 8;

    private static final int PREFACE_LENGTH = 24;
    private static final int HEADER_LENGTH = 9;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int CONTINUATION = 0x9;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;

    private int prefaceLeft;
    private final byte[] header = new byte[HEADER_LENGTH];
    private int headerFill;
    private long payloadLeft;
    private final Window control;
    private final Window resets;
    private int continuations;
    /** The last frame read was part of a header block whose END_HEADERS has not come yet. */
    private boolean blockOpen;
    private final IntConsumer resetStreams;

    /**
     * @param afterPreface true when the preface was consumed already (h2c upgrade)
     * @param resetStreams told the stream id of each RST_STREAM frame within the limit, as its
     *                     header is read: before Undertow has parsed the frame
     */
    Http2FrameCounter(boolean afterPreface, long now, IntConsumer resetStreams) {
        this.prefaceLeft = afterPreface ? 0 : PREFACE_LENGTH;
        this.resetStreams = resetStreams;
        this.control = new Window(Budget.CONTROL, now);
        this.resets = new Window(Budget.RESETS, now);
    }

    @Override
    public Verdict accept(ByteBuffer bytes, long now) {
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
                    Verdict verdict = count(now);
                    if (verdict != Verdict.ACCEPTED) {
                        return verdict;
                    }
                }
            }
        }
        return Verdict.ACCEPTED;
    }

    @Override
    public boolean endsInsideHeaderBlock() {
        return blockOpen && prefaceLeft == 0 && headerFill == 0 && payloadLeft == 0;
    }

    /** Takes the frame whose header was just read into account. */
    private Verdict count(long now) {
        payloadLeft = ((header[0] & 0xffL) << 16) | ((header[1] & 0xffL) << 8) | (header[2] & 0xffL);
        int type = header[3] & 0xff;
        boolean ack = (header[4] & ACK) != 0;
        if ((type == SETTINGS || type == PING) && !ack && !control.takeOne(now)) {
            return Verdict.CONTROL_FLOOD;
        }
        if (type == RST_STREAM) {
            if (!resets.takeOne(now)) {
                return Verdict.RESET_FLOOD;
            }
            resetStreams.accept(streamId());
        }
        if (type == HEADERS) {
            continuations = 0;
        } else if (type == CONTINUATION && ++continuations > MAX_CONTINUATIONS) {
            return Verdict.CONTINUATION_FLOOD;
        }
        blockOpen = (type == HEADERS || type == CONTINUATION) && (header[4] & END_HEADERS) == 0;
        return Verdict.ACCEPTED;
    }

    private int streamId() {
        return ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8) | (header[8] & 0xff);
    }

    /** A budget's count in its current window. */
    private static final class Window {
        private final Budget budget;
        private long start;
        private int count;

        Window(Budget budget, long now) {
            this.budget = budget;
            this.start = now;
        }

        boolean takeOne(long now) {
            if (now - start > budget.windowNanos) {
                start = now;
                count = 0;
            }
            return ++count <= budget.limit;
        }
    }
}
