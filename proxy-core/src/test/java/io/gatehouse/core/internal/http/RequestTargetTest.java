package io.gatehouse.core.internal.http;

import io.gatehouse.conf.HttpParseOption;
import io.gatehouse.conf.HttpParseOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Targets read with lighttpd's default parse options. The expected path and query of each row are
 * what lighttpd 1.4.69 gave a PHP script as PATH_INFO and QUERY_STRING for the same target here
 * (its SCRIPT_NAME was {@code /env.php}, so the path below is SCRIPT_NAME + PATH_INFO).
 */
class RequestTargetTest {

    private static final HttpParseOptions DEFAULTS = HttpParseOptions.DEFAULTS;

    @ParameterizedTest(name = "{0} -> {1} ? {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "/env.php/100%25/x%3Fy?z=1 | /env.php/100%/x?y | z=1",
        "/env.php/x%20y            | /env.php/x y      | ''",
        "/env.php/a%2Fb            | /env.php/a/b      | ''",
        "/env.php//a//b            | /env.php/a/b      | ''",
        "/env.php/./a/../b         | /env.php/b        | ''",
        "/x/../env.php/q           | /env.php/q        | ''",
        "/../env.php               | /env.php          | ''",
        "/env.php/a+b?c+d          | /env.php/a+b      | c+d",
        "/env.php/%c3%a9?%c3%A9    | /env.php/\u00e9   | %C3%A9",
        "/env.php/%41%7e?%41%2f    | /env.php/A~       | A%2F",
        "/env.php/a;b=1            | /env.php/a;b=1    | ''",
        "/env.php/a\\b             | /env.php/a\\b     | ''",
        "/env.php/<a>?\"x\"        | /env.php/<a>      | %22x%22",
        "/env.php/%zz              | /env.php/%zz      | ''",
        "/env.php/a%               | /env.php/a%       | ''",
        "/env.php/%2e%2e/x         | /x                | ''",
        "/env.php/#frag            | /env.php/         | ''",
        "/env.php?a=%20b           | /env.php          | a=%20b",
        "/env.php/a/.              | /env.php/a/       | ''",
        "/env.php/a/..             | /env.php/         | ''",
    })
    void readsTheTargetAsLighttpdDoes(String raw, String path, String query) throws Exception {
        RequestTarget target = RequestTarget.parse(raw, DEFAULTS);
        assertEquals(path, target.path());
        assertEquals(query, target.query());
        assertEquals(raw, target.raw());
    }

    @Test
    void rawUtf8BytesAreDecodedAsUtf8() throws Exception {
        // Two chars standing for the bytes C3 A9, as Undertow hands a raw target over.
        assertEquals("/env.php/\u00e9", RequestTarget.parse("/env.php/\u00c3\u00a9", DEFAULTS).path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/env.php/%0a", "/env.php/?a=%0a", "/env.php/%7f", "/env.php/%ff", "/env.php/x\u0001",
        "/x.php/%0d%0a", "/x%00y", "/a/%1F", "x", "", "*"})
    void refusesWhatLighttpdAnswersWith400(String raw) {
        assertThrows(BadRequestTargetException.class, () -> RequestTarget.parse(raw, DEFAULTS));
    }

    @Test
    void aNulIsRefusedEvenWhenControlsAreAllowed() {
        HttpParseOptions lenient = DEFAULTS.with(HttpParseOption.URL_CTRLS_REJECT, false);
        assertThrows(BadRequestTargetException.class, () -> RequestTarget.parse("/x%00y", lenient));
    }

    @Test
    void withControlsAllowedAnEncodedLineFeedIsDecoded() throws Exception {
        HttpParseOptions lenient = DEFAULTS.with(HttpParseOption.URL_CTRLS_REJECT, false);
        assertEquals("/x/\n", RequestTarget.parse("/x/%0a", lenient).path());
    }

    @Test
    void absoluteFormDropsSchemeAndAuthorityAndKeepsTheAuthorityApart() throws Exception {
        RequestTarget target = RequestTarget.parse("http://good:8080/a/b?c", DEFAULTS);
        assertEquals("/a/b", target.path());
        assertEquals("c", target.query());
        assertEquals("/a/b?c", target.raw());
        assertEquals("good:8080", target.authority());
        assertEquals("/", RequestTarget.parse("http://example.org", DEFAULTS).path());
        assertEquals("/?q", RequestTarget.parse("HTTPS://[::1]?q", DEFAULTS).raw());
        assertEquals("[::1]", RequestTarget.parse("HTTPS://[::1]?q", DEFAULTS).authority());
        assertNull(RequestTarget.parse("/env.php?to=http://x/", DEFAULTS).authority());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://good@evil/x", "ftp://good/x", "http:///x", "http://:80/x", "http://good:/x",
        "http://good:123456/x", "http://[zz]/x", "http://[::1/x", "http://go%6fd/x"})
    void absoluteFormsWithoutAPlainHostAndPortAreRefused(String target) {
        assertThrows(BadRequestTargetException.class, () -> RequestTarget.parse(target, DEFAULTS));
    }

    @Test
    void optionsOffByDefaultDoWhatTheySay() throws Exception {
        assertEquals("/a/b", RequestTarget.parse("/a\\b",
                DEFAULTS.with(HttpParseOption.URL_PATH_BACKSLASH_TRANS, true)).path());
        assertEquals("a+b", RequestTarget.parse("/?a%20b",
                DEFAULTS.with(HttpParseOption.URL_QUERY_20_PLUS, true)).query());
        assertThrows(BadRequestTargetException.class, () -> RequestTarget.parse("/a%2Fb",
                DEFAULTS.with(HttpParseOption.URL_PATH_2F_REJECT, true)));
        assertThrows(BadRequestTargetException.class, () -> RequestTarget.parse("/a/../b",
                DEFAULTS.with(HttpParseOption.URL_PATH_DOTSEG_REJECT, true)));
    }

    @Test
    void optionsOnByDefaultCanBeSwitchedOff() throws Exception {
        assertEquals("/a/b/../c", RequestTarget.parse("/a/b/../c",
                DEFAULTS.with(HttpParseOption.URL_PATH_DOTSEG_REMOVE, false)).path());
        // Without 2F decoding the %2F survives normalisation, then the path is decoded as a whole.
        assertEquals("/a/b", RequestTarget.parse("/a%2fb", DEFAULTS.with(HttpParseOption.URL_PATH_2F_DECODE, false)).path());
        assertEquals("/\ufffd", RequestTarget.parse("/%ff",
                DEFAULTS.with(HttpParseOption.URL_INVALID_UTF8_REJECT, false)).path());
        assertEquals("%41", RequestTarget.parse("/?%41",
                DEFAULTS.with(HttpParseOption.URL_NORMALIZE_UNRESERVED, false)).query());
    }

    @Test
    void aLongTargetOfEscapesIsReadInOnePass() throws Exception {
        String raw = "/" + "%41".repeat(20_000);
        assertEquals("/" + "A".repeat(20_000), RequestTarget.parse(raw, DEFAULTS).path());
    }
}
