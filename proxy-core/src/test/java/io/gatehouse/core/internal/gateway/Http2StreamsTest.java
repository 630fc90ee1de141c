package io.gatehouse.core.internal.gateway;

import io.undertow.Version;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Http2Streams} reads a private field of Undertow's: this fails when Undertow is upgraded,
 * so whoever upgrades it checks that the field is still there and still names the exchange's
 * stream. {@code Http2AbuseE2ETest}'s reset tests check what it reads, over every way HTTP/2 starts.
 */
class Http2StreamsTest {

    @Test
    void writtenAgainstUndertow2327() {
        assertEquals("2.3.27.Final", Version.getVersionString());
    }

    @Test
    void findsTheField() {
        assertDoesNotThrow(() -> Class.forName(Http2Streams.class.getName(), true, getClass().getClassLoader()));
    }
}
