package io.gatehouse.core.internal.staticfile;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code Range: bytes=…} header read as lighttpd 1.4.69 reads it ({@code http_range_parse}):
 * invalid specs are skipped, at most {@value #MAX_RANGES} are read, a first position past the end
 * makes a spec unsatisfiable, and ranges that overlap or lie closer than {@value #MERGE_GAP} bytes
 * (the cost of another multipart header) are merged into the first of them, keeping the order
 * of the request otherwise.
 *
 * <p>Stateless; thread-safe.
 */
public final class ByteRanges {

    /** lighttpd's limit: later ranges are ignored (merging is quadratic in their number). */
    static final int MAX_RANGES = 10;

    /** Ranges separated by fewer bytes than a multipart part header are sent as one. */
    static final long MERGE_GAP = 80;

    private static final String UNIT = "bytes=";

    private ByteRanges() {
    }

    /**
     * The ranges ({first, last} inclusive) of {@code header} for content of {@code length} bytes:
     * null when the header is not in bytes or the content is empty (the whole content is sent, as
     * lighttpd does: 200), an empty list when no range is satisfiable (416).
     */
    public static List<long[]> parse(String header, long length) {
        if (length == 0 || !header.regionMatches(true, 0, UNIT, 0, UNIT.length())) {
            return null;
        }
        List<long[]> ranges = new ArrayList<>();
        for (String spec : header.substring(UNIT.length()).split(",", -1)) {
            if (ranges.size() == MAX_RANGES) {
                break;
            }
            long[] range = spec(spec, length);
            if (range != null) {
                ranges.add(range);
            }
        }
        return merged(ranges);
    }

    /** One {@code first-last}, {@code first-} or {@code -suffix}; null when invalid or unsatisfiable. */
    private static long[] spec(String spec, long length) {
        String s = spec.strip();
        int dash = s.indexOf('-', 1);
        if (s.startsWith("-")) {
            long suffix = number(s.substring(1));
            return suffix <= 0 ? null : new long[] {Math.max(0, length - suffix), length - 1};
        }
        if (dash < 0) {
            return null;
        }
        long first = number(s.substring(0, dash).strip());
        if (first < 0 || first >= length) {
            return null;
        }
        String lastText = s.substring(dash + 1).strip();
        if (lastText.isEmpty()) {
            return new long[] {first, length - 1};
        }
        long last = number(lastText);
        return last < first ? null : new long[] {first, Math.min(last, length - 1)};
    }

    /** A plain decimal number; -1 when it is not one or does not fit. */
    private static long number(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }

    private static List<long[]> merged(List<long[]> ranges) {
        for (int i = 0; i + 1 < ranges.size(); i++) {
            long[] kept = ranges.get(i);
            for (int j = i + 1; j < ranges.size(); j++) {
                long[] other = ranges.get(j);
                boolean apart = kept[0] <= other[0] ? kept[1] < other[0] - MERGE_GAP : other[1] < kept[0] - MERGE_GAP;
                if (!apart) {
                    kept[0] = Math.min(kept[0], other[0]);
                    kept[1] = Math.max(kept[1], other[1]);
                    ranges.remove(j);
                    i = -1; // start over, as lighttpd does: the grown range may now reach earlier ones
                    break;
                }
            }
        }
        return ranges;
    }
}
