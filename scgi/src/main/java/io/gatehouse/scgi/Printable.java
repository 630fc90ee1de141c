package io.gatehouse.scgi;

/** Renders untrusted bytes for error messages: escaped and truncated, so a message stays one short line. */
final class Printable {

    /** Longest rendering of a value in a message: enough to recognise it, short enough for a log line. */
    static final int MAX_QUOTED_CHARS = 64;

    private Printable() {
    }

    /** {@code s} (a byte string) in double quotes, control and non-ASCII bytes as {@code \xNN}. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_QUOTED_CHARS) + 8).append('"');
        int shown = Math.min(s.length(), MAX_QUOTED_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else if (c <= 0xff) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        out.append('"');
        if (s.length() > shown) {
            out.append("... (").append(s.length()).append(" chars)");
        }
        return out.toString();
    }

    /** One byte as {@code 0x41 ('A')}, or just the hex form when it is not printable. */
    static String describeByte(int b) {
        int octet = b & 0xff;
        String hex = String.format("0x%02x", octet);
        return octet >= 0x20 && octet < 0x7f ? hex + " ('" + (char) octet + "')" : hex;
    }
}
