package io.gatehouse.core.internal.http;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.gatehouse.conf.HttpParseOptions;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link RequestTarget#parse} with a request target as a client sends it (Undertow hands it
 * over a char per byte), under lighttpd's default parse options: the outcome is a target or a
 * {@link BadRequestTargetException}, never another exception. A target's path, which routes the
 * request and names the file, starts with {@code /} and has no NUL and no {@code .} or {@code ..}
 * segment; its raw form (REQUEST_URI) is in origin form; its authority is null or a host with an
 * optional port.
 */
class RequestTargetFuzzTest {

    private static final Pattern HOST_AND_PORT =
            Pattern.compile("([A-Za-z0-9._~-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");

    @FuzzTest(maxDuration = "15s")
    void requestTarget(byte[] input) {
        String received = new String(input, StandardCharsets.ISO_8859_1);
        RequestTarget target;
        try {
            target = RequestTarget.parse(received, HttpParseOptions.DEFAULTS);
        } catch (BadRequestTargetException refused) {
            return;
        }
        String path = target.path();
        assertTrue(path.startsWith("/"), path);
        assertFalse(path.indexOf('\0') >= 0, path);
        String segments = path + "/";
        assertFalse(segments.contains("/./") || segments.contains("/../"), path);
        assertTrue(target.raw().startsWith("/"), target.raw());
        assertTrue(target.authority() == null || HOST_AND_PORT.matcher(target.authority()).matches(),
                target.authority());
    }
}
