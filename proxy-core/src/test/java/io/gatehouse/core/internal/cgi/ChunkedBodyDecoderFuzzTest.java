package io.gatehouse.core.internal.cgi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link ChunkedBodyDecoder} with what a backend might send as a chunked body, through an
 * output buffer of a fuzzer-chosen size: the outcome is data or a {@link BadGatewayException},
 * the same however the input is cut ({@link FuzzInput}); the decoder never writes more than it
 * read, and stops only for an empty input, a full output or the end of the body.
 */
class ChunkedBodyDecoderFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void chunkedBodyDecoder(byte[] input) {
        sameAtEveryLayout(ChunkedBodyDecoder::new, FuzzInput.of(input));
    }

    /** Decodes {@code fuzz} whole and as cut; asserts both agree and returns the outcome. */
    static String sameAtEveryLayout(Supplier<ChunkedBodyDecoder> decoders, FuzzInput fuzz) {
        String whole = outcome(decoders, fuzz.payload(), fuzz.whole(), ChunkedBodyDecoder.MAX_TRAILER_BYTES);
        assertEquals(whole, outcome(decoders, fuzz.payload(), fuzz.layout(), fuzz.outputSize()), fuzz.layout().name());
        return whole;
    }

    /** The decoded data and where it ended, or the failure: what every layout must agree on. */
    static String outcome(Supplier<ChunkedBodyDecoder> decoders, byte[] payload, Feeding.Layout layout,
            int outputSize) {
        ChunkedBodyDecoder decoder = decoders.get();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteBuffer out = ByteBuffer.allocate(outputSize);
        long read = 0;
        int rest = -1;
        try {
            for (ByteBuffer segment : layout.segments(payload)) {
                if (rest >= 0) {
                    rest += segment.remaining();
                    continue;
                }
                while (true) {
                    int before = segment.remaining();
                    boolean done = decoder.decode(segment, out);
                    read += before - segment.remaining();
                    data.write(out.array(), 0, out.position());
                    assertTrue(data.size() <= read, data.size() + " bytes out of " + read + " in");
                    boolean full = !out.hasRemaining();
                    out.clear();
                    if (done) {
                        rest = segment.remaining();
                        break;
                    }
                    if (!segment.hasRemaining()) {
                        break;
                    }
                    assertTrue(full, "stopped with input left and room in the output");
                }
            }
            if (rest >= 0) {
                assertEquals(payload.length, read + rest, "bytes read and left after the body");
                ByteBuffer more = ByteBuffer.wrap(payload);
                assertTrue(decoder.decode(more, out), "done stays done");
                assertEquals(0, more.position() + out.position(), "bytes used after the end");
            }
        } catch (BadGatewayException e) {
            return "failed: " + e.getMessage();
        }
        assertFalse(data.size() > payload.length, "more data than input");
        return data.size() + " bytes " + Feeding.text(data.toByteArray()) + (rest >= 0 ? ", done, rest " + rest : "");
    }
}
