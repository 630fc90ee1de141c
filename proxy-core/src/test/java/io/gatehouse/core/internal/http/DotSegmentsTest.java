package io.gatehouse.core.internal.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DotSegmentsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/, /", "/a, /a", "/a/, /a/", "/a//b, /a/b", "/a//b/, /a/b/", "//, /", "/., /", "/.., /",
        "/a/., /a/", "/a/.., /", "/a/./b, /a/b", "/a/../b, /b", "/../../a, /a", "/a/b/../../c/, /c/",
        "/.a/..b/, /.a/..b/", "/a/.../b, /a/.../b",
    })
    void removesDotSegmentsAndRepeatedSlashes(String path, String expected) {
        assertEquals(expected, DotSegments.remove(path));
    }
}
