package io.gatehouse.core.internal.cgi;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static io.gatehouse.core.internal.cgi.ChunkedBodyDecoderFuzzTest.outcome;
import static io.gatehouse.core.internal.cgi.ChunkedBodyDecoderFuzzTest.sameAtEveryLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes {@link ChunkedBodyDecoder#forRequests} with what a client might send as a chunked
 * request body, as {@link ChunkedBodyDecoderFuzzTest} fuzzes a backend's: the same outcome however
 * the input is cut, and what the request side takes, a backend's decoder takes alike (the request
 * side only refuses more: bare LF line ends). A class of its own: Jazzer fuzzes one test per JVM.
 */
class ChunkedRequestBodyDecoderFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void chunkedRequestBodyDecoder(byte[] input) {
        FuzzInput fuzz = FuzzInput.of(input);
        String whole = sameAtEveryLayout(ChunkedBodyDecoder::forRequests, fuzz);
        if (!whole.startsWith("failed: ")) {
            assertEquals(whole, outcome(ChunkedBodyDecoder::new, fuzz.payload(), fuzz.whole(),
                    ChunkedBodyDecoder.MAX_TRAILER_BYTES), "a backend's decoder on what a client's took");
        }
    }
}
