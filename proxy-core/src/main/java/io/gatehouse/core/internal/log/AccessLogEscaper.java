package io.gatehouse.core.internal.log;

import java.nio.charset.StandardCharsets;

/**
 * Appends request-controlled text to a log line the way lighttpd's {@code accesslog} does, so a
 * client cannot forge lines or break the quoting: {@code "} and {@code \} are backslash-escaped,
 * {@code \b \n \r \t \v} written as such, every other byte outside {@code 0x20..0x7e} as
 * {@code \xNN} (upper-case hex). Characters beyond ISO-8859-1 are escaped byte by byte in UTF-8.
 *
 * <p>Stateless; safe from any thread.
 */
final class AccessLogEscaper {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private AccessLogEscaper() {
    }

    static void append(StringBuilder out, String s) {
        int length = s.length();
        int i = 0;
        while (i < length && isPlain(s.charAt(i))) {
            i++;
        }
        if (i == length) {
            out.append(s);
            return;
        }
        out.append(s, 0, i);
        for (; i < length; i++) {
            char c = s.charAt(i);
            if (isPlain(c)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0b -> out.append("\\v");
                default -> {
                    if (c <= 0xff) {
                        appendHex(out, c);
                    } else {
                        int codePoint = s.codePointAt(i);
                        i += Character.charCount(codePoint) - 1;
                        for (byte b : new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8)) {
                            appendHex(out, b & 0xff);
                        }
                    }
                }
            }
        }
    }

    private static boolean isPlain(char c) {
        return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
    }

    private static void appendHex(StringBuilder out, int octet) {
        out.append('\\').append('x').append(HEX[octet >> 4]).append(HEX[octet & 0xf]);
    }
}
