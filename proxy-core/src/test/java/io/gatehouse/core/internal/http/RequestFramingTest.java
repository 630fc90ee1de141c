package io.gatehouse.core.internal.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestFramingTest {

    @Test
    void plainLengthsAreRead() {
        assertEquals(0, RequestFraming.parseLength("0"));
        assertEquals(42, RequestFraming.parseLength(" 42 "));
        assertEquals(Long.MAX_VALUE, RequestFraming.parseLength("9223372036854775807"));
        assertEquals(7, RequestFraming.parseLength("0000000000000000000000007"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"18446744073709551616", "18446744073709551621", "100000000000000000000000",
        "9223372036854775808", "-1", "+1", "1 2", "5, 5", "0x10", "", " ", "1e3", "١"})
    void contentLengthThatIsNotAPlain63BitNumberIsRefused(String value) {
        assertEquals(-1, RequestFraming.parseLength(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "PROPFIND", "M-SEARCH", "BREW"})
    void upperCaseTokensAreMethods(String method) {
        assertTrue(RequestFraming.isUpperCaseToken(method));
    }

    @ParameterizedTest
    @ValueSource(strings = {"get", "Post", "GE(T", "", "G T"})
    void otherMethodsAreNot(String method) {
        assertFalse(RequestFraming.isUpperCaseToken(method));
    }
}
