package io.gatehouse.core.internal.cgi;

import java.io.IOException;

/**
 * A backend response that breaks the CGI response rules (or one of our limits), so the client
 * gets 502 Bad Gateway. The message names what was wrong and quotes the offending value, escaped
 * and truncated so that it stays one readable log line.
 *
 * <p>Immutable, so safe to share between threads.
 */
public final class BadGatewayException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Longest part of an offending value quoted in a message: enough to recognise it, short enough for a log line. */
    static final int MAX_QUOTED_CHARS = 80;

    public BadGatewayException(String message) {
        super(message);
    }

    /** {@code problem: "value"} where value is {@code b[from, to)} decoded ISO-8859-1, escaped and truncated. */
    static BadGatewayException withValue(String problem, byte[] b, int from, int to) {
        return new BadGatewayException(problem + ": " + quote(b, from, to));
    }

    /** The bytes in double quotes, quote, backslash and non-printable bytes escaped, cut after {@link #MAX_QUOTED_CHARS}. */
    static String quote(byte[] b, int from, int to) {
        int shown = Math.min(to - from, MAX_QUOTED_CHARS);
        StringBuilder out = new StringBuilder(shown + 16).append('"');
        for (int i = from; i < from + shown; i++) {
            appendEscaped(out, b[i] & 0xff);
        }
        out.append('"');
        if (to - from > shown) {
            out.append("... (").append(to - from).append(" bytes)");
        }
        return out.toString();
    }

    /** One byte as {@code 0x41 ('A')}, or only the hex form when it is not printable. */
    static String describeByte(int octet) {
        int unsigned = octet & 0xff;
        String hex = String.format("0x%02x", unsigned);
        return unsigned >= 0x20 && unsigned < 0x7f ? hex + " ('" + (char) unsigned + "')" : hex;
    }

    private static void appendEscaped(StringBuilder out, int octet) {
        if (octet == '"' || octet == '\\') {
            out.append('\\').append((char) octet);
        } else if (octet >= 0x20 && octet < 0x7f) {
            out.append((char) octet);
        } else {
            out.append("\\x").append(Character.forDigit(octet >> 4, 16)).append(Character.forDigit(octet & 0xf, 16));
        }
    }
}
