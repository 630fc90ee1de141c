package io.gatehouse.core.internal.cgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level helpers for HTTP header text: token and control checks, trimming and ASCII
 * case-insensitive comparison, done on raw bytes so parsing needs no intermediate strings.
 *
 * <p>Stateless; safe from any thread.
 */
final class HeaderBytes {

    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private HeaderBytes() {
    }

    /** {@code b[from, to)} is a non-empty HTTP token (RFC 9110 §5.6.2), as a header name must be. */
    static boolean isToken(byte[] b, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!TOKEN[b[i] & 0xff]) {
                return false;
            }
        }
        return true;
    }

    /** {@code b[from, to)} holds a control byte other than HTAB: not allowed in a field value. */
    static boolean hasControlBytes(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    static boolean isBlank(int c) {
        return c == ' ' || c == '\t';
    }

    /** First index in {@code [from, to)} that is not SP/HTAB, or {@code to}. */
    static int skipBlanks(byte[] b, int from, int to) {
        int i = from;
        while (i < to && isBlank(b[i])) {
            i++;
        }
        return i;
    }

    /** End of {@code [from, to)} with trailing SP/HTAB removed. */
    static int trimEnd(byte[] b, int from, int to) {
        int i = to;
        while (i > from && isBlank(b[i - 1])) {
            i--;
        }
        return i;
    }

    /** {@code b[from, to)} equals {@code lowerAscii} ignoring ASCII case; {@code lowerAscii} must be lower case. */
    static boolean equalsIgnoreCase(byte[] b, int from, int to, String lowerAscii) {
        if (to - from != lowerAscii.length()) {
            return false;
        }
        for (int i = 0; i < lowerAscii.length(); i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** First index of {@code wanted} in {@code b[from, to)}, or -1. */
    static int indexOf(byte[] b, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** {@code b[from, to)} starts with {@code prefix}, compared exactly. */
    static boolean startsWith(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The comma-separated list in {@code b[from, to)} holds {@code lowerAsciiToken}, ignoring case and blanks. */
    static boolean listContains(byte[] b, int from, int to, String lowerAsciiToken) {
        int elementFrom = from;
        for (int i = from; i <= to; i++) {
            if (i == to || b[i] == ',') {
                int start = skipBlanks(b, elementFrom, i);
                if (equalsIgnoreCase(b, start, trimEnd(b, start, i), lowerAsciiToken)) {
                    return true;
                }
                elementFrom = i + 1;
            }
        }
        return false;
    }

    static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Absolute index of the first LF in {@code buf[from, to)}, or -1; works for heap and direct buffers. */
    static int indexOfLineFeed(ByteBuffer buf, int from, int to) {
        if (buf.hasArray()) {
            byte[] array = buf.array();
            int base = buf.arrayOffset();
            for (int i = from + base, end = to + base; i < end; i++) {
                if (array[i] == '\n') {
                    return i - base;
                }
            }
            return -1;
        }
        for (int i = from; i < to; i++) {
            if (buf.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
