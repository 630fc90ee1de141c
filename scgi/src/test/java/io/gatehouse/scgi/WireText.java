package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds and reads test wire data written as text, one char per byte. */
final class WireText {

    private WireText() {
    }

    /** Each string followed by a NUL byte, as in an SCGI header. */
    static String nulTerminated(String... strings) {
        StringBuilder out = new StringBuilder();
        for (String s : strings) {
            out.append(s).append('\0');
        }
        return out.toString();
    }

    /** {@code content} wrapped as a netstring. */
    static String netstring(String content) {
        return content.length() + ":" + content + ",";
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
