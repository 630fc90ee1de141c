package io.gatehouse.core.internal.server;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionCloseTokenTest {

    @ParameterizedTest
    @ValueSource(strings = {"close", "CLOSE", "keep-alive, close", "close, keep-alive", "foo,close", "close,foo",
        "te, close", " close ", "\tclose", "a,,close", "Keep-Alive, Close"})
    void aCloseTokenAnywhereInTheListIsFound(String value) {
        assertTrue(ConnectionCloseToken.hasClose(value), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "keep-alive", "closed", "xclose", "close-ish", "keep-alive, upgrade", ",", "clo se"})
    void noCloseTokenIsFound(String value) {
        assertFalse(ConnectionCloseToken.hasClose(value), value);
    }
}
