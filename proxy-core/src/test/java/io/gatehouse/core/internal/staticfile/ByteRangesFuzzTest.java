package io.gatehouse.core.internal.staticfile;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link ByteRanges} with a client's Range header and a file length (the input's first
 * byte picks one of a few, 0 included): the outcome is null, or at most {@link ByteRanges#MAX_RANGES}
 * ranges that lie inside the file, each first &lt;= last, no two within {@link ByteRanges#MERGE_GAP}
 * bytes of each other; never an exception.
 */
class ByteRangesFuzzTest {

    private static final long[] LENGTHS = {0, 1, 80, 1000, Long.MAX_VALUE};

    @FuzzTest(maxDuration = "15s")
    void byteRanges(byte[] input) {
        if (input.length == 0) {
            return;
        }
        long length = LENGTHS[(input[0] & 0xFF) % LENGTHS.length];
        String header = new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1);
        List<long[]> ranges = ByteRanges.parse(header, length);
        if (ranges == null) {
            return;
        }
        assertTrue(length > 0, "an empty file is sent whole, got " + ranges.size() + " ranges");
        assertTrue(ranges.size() <= ByteRanges.MAX_RANGES, ranges.size() + " ranges");
        for (long[] r : ranges) {
            assertTrue(r[0] >= 0 && r[0] <= r[1] && r[1] < length, r[0] + "-" + r[1] + " of " + length);
        }
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                long[] a = ranges.get(i);
                long[] b = ranges.get(j);
                boolean apart = a[0] <= b[0] ? a[1] < b[0] - ByteRanges.MERGE_GAP : b[1] < a[0] - ByteRanges.MERGE_GAP;
                assertTrue(apart, a[0] + "-" + a[1] + " and " + b[0] + "-" + b[1] + " should have been merged");
            }
        }
    }
}
