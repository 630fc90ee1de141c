package io.gatehouse.core.internal.cgi;

import java.nio.charset.StandardCharsets;

/**
 * Conversions to the byte strings the codecs send: one char per octet (ISO-8859-1). Undertow keeps
 * header values and the raw request target that way already; the decoded URL path is a UTF-8
 * Java string and has to be turned back into its bytes.
 */
final class ByteStrings {

    private ByteStrings() {
    }

    /** The UTF-8 bytes of {@code s} as a byte string; ASCII strings are returned as they are. */
    static String fromUtf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return s;
    }
}
