package io.gatehouse.core.internal.staticfile;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link ByteRanges} on a 1000-byte file, as lighttpd 1.4.69's http_range_parse reads the header. */
class ByteRangesTest {

    private static final long LENGTH = 1000;

    private static String ranges(String header) {
        List<long[]> ranges = ByteRanges.parse(header, LENGTH);
        return ranges == null ? "whole" : ranges.stream().map(r -> r[0] + "-" + r[1]).collect(Collectors.joining(" "));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "bytes=0-99             | 0-99",
            "BYTES=0-99             | 0-99",
            "bytes=990-             | 990-999",
            "bytes=-10              | 990-999",
            "bytes=-5000            | 0-999",
            "bytes=500-5000         | 500-999",
            "bytes= 1 - 2           | 1-2",
            "bytes=1000-            | ''",
            "bytes=5-4              | ''",
            "bytes=-0               | ''",
            "bytes=x-1              | ''",
            "bytes=0x1-2            | ''",
            "bytes=+5-6             | ''",
            "bytes=99999999999999999999-  | ''",
            "bytes=0-9,20-29        | 0-29",
            "bytes=0-9,200-209      | 0-9 200-209",
            "bytes=200-209,0-9      | 200-209 0-9",
            "bytes=0-9,,junk,500-509 | 0-9 500-509",
            "items=0-9              | whole",
    })
    void readsTheHeaderAsLighttpd(String header, String expected) {
        assertEquals(expected, ranges(header));
    }

    @Test
    void aMergeCanJoinRangesWrittenBeforeIt() {
        assertEquals("0-309", ranges("bytes=0-9,300-309,100-249,10-99"), "checked against lighttpd 1.4.69");
    }

    @Test
    void rangesPastTheLimitAreIgnored() {
        String eleven = "bytes=" + java.util.stream.IntStream.range(0, 11).mapToObj(i -> i * 90 + "-" + (i * 90))
                .collect(Collectors.joining(","));
        assertEquals(ByteRanges.MAX_RANGES, ByteRanges.parse(eleven, 100_000).size());
    }

    /** Found by ByteRangesFuzzTest: "bytes=-5" on an empty file gave the range 0--1 (a 206 of nothing). */
    @Test
    void anEmptyFileIsSentWholeWhateverTheRange() {
        assertNull(ByteRanges.parse("bytes=-5", 0), "lighttpd 1.4.69 answers 200, checked");
        assertNull(ByteRanges.parse("bytes=0-", 0));
    }
}
