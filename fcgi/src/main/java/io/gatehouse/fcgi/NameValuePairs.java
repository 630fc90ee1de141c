package io.gatehouse.fcgi;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FastCGI name-value pairs, the body of PARAMS, GET_VALUES and GET_VALUES_RESULT.
 *
 * <p>Each pair is the name length, the value length, the name bytes, the value bytes. A length
 * below 128 takes one byte; a longer one takes four bytes, big-endian, with the high bit set:
 * <pre>
 * 0lllllll                              length 0..127
 * 1lllllll llllllll llllllll llllllll   length 0..2^31-1
 * </pre>
 * Names and values are byte strings: each {@code char} is one octet (ISO-8859-1), so any bytes a
 * web server forwards survive the round trip unchanged.
 *
 * <p>Stateless; safe to use from any thread.
 */
public final class NameValuePairs {

    /** Lengths up to this fit the one-byte form. */
    private static final int MAX_SHORT_LENGTH = 127;

    private static final int LONG_LENGTH_FLAG = 0x80000000;

    private NameValuePairs() {
    }

    /**
     * Bytes {@link #encode} writes for this pair.
     *
     * @throws ArithmeticException if the pair would not fit in an int
     */
    public static int encodedLength(String name, String value) {
        int lengths = lengthFieldSize(name.length()) + lengthFieldSize(value.length());
        return Math.addExact(lengths, Math.addExact(name.length(), value.length()));
    }

    /**
     * Writes one pair at the position of {@code out}.
     *
     * @throws IllegalArgumentException if the name or value holds a char above 0xFF (not a byte string)
     * @throws java.nio.BufferOverflowException if {@code out} has less than {@link #encodedLength} left
     */
    public static void encode(ByteBuffer out, String name, String value) {
        String problem = latin1Problem(name, value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (out.remaining() < encodedLength(name, value)) {
            throw new BufferOverflowException();
        }
        putLength(out, name.length());
        putLength(out, value.length());
        putLatin1(out, name);
        putLatin1(out, value);
    }

    /**
     * Decodes every pair from the position to the limit of {@code in}, advancing its position. A name
     * seen twice keeps its first place in the map and its last value.
     *
     * @throws FcgiException if a pair is truncated
     */
    public static Map<String, String> decode(ByteBuffer in) throws FcgiException {
        Map<String, String> pairs = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            int pairStart = in.position();
            int nameLength = readLength(in, "name length", pairStart);
            int valueLength = readLength(in, "value length", pairStart);
            String name = readLatin1(in, nameLength, "name", pairStart);
            String value = readLatin1(in, valueLength, "value of " + quote(name), pairStart);
            pairs.put(name, value);
        }
        return pairs;
    }

    /** Null if both strings are byte strings, else a message naming the parameter and the offending char. */
    static String latin1Problem(String name, String value) {
        int bad = firstNonLatin1(name);
        if (bad >= 0) {
            return "parameter name " + quote(name) + " has char U+" + hex(name.charAt(bad)) + " at index " + bad
                    + ": names and values are byte strings (one char per octet, ISO-8859-1)";
        }
        bad = firstNonLatin1(value);
        if (bad >= 0) {
            return "value of parameter " + quote(name) + " has char U+" + hex(value.charAt(bad)) + " at index "
                    + bad + ": names and values are byte strings (one char per octet, ISO-8859-1)";
        }
        return null;
    }

    private static int firstNonLatin1(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return i;
            }
        }
        return -1;
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }

    private static String quote(String name) {
        return "\"" + name + "\"";
    }

    private static int lengthFieldSize(int length) {
        return length <= MAX_SHORT_LENGTH ? 1 : 4;
    }

    private static void putLength(ByteBuffer out, int length) {
        if (length <= MAX_SHORT_LENGTH) {
            out.put((byte) length);
        } else {
            out.putInt(length | LONG_LENGTH_FLAG);
        }
    }

    private static void putLatin1(ByteBuffer out, String text) {
        out.put(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Writes one pair into {@code dst} from {@code at}, which has {@link #encodedLength} bytes of
     * room there: the check for byte strings and the copy in one pass, with no copy of the strings.
     *
     * @return the index after the pair, or -1 if the name or value holds a char above 0xFF (the
     *         bytes written so far are garbage then; {@link #latin1Problem} says which char)
     */
    static int encodeInto(byte[] dst, int at, String name, String value) {
        at = putLength(dst, at, name.length());
        at = putLength(dst, at, value.length());
        at = putLatin1(dst, at, name);
        return at < 0 ? -1 : putLatin1(dst, at, value);
    }

    private static int putLength(byte[] dst, int at, int length) {
        if (length <= MAX_SHORT_LENGTH) {
            dst[at] = (byte) length;
            return at + 1;
        }
        dst[at] = (byte) ((length >>> 24) | 0x80);
        dst[at + 1] = (byte) (length >>> 16);
        dst[at + 2] = (byte) (length >>> 8);
        dst[at + 3] = (byte) length;
        return at + 4;
    }

    private static int putLatin1(byte[] dst, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0xFF) {
                return -1;
            }
            dst[at + i] = (byte) c;
        }
        return at + text.length();
    }

    private static int readLength(ByteBuffer in, String field, int pairStart) throws FcgiException {
        if (!in.hasRemaining()) {
            throw truncated(field, 1, 0, pairStart);
        }
        int first = in.get(in.position()) & 0xFF;
        if (first <= MAX_SHORT_LENGTH) {
            in.get();
            return first;
        }
        if (in.remaining() < 4) {
            throw truncated(field + " (4-byte form)", 4, in.remaining(), pairStart);
        }
        return in.getInt() & ~LONG_LENGTH_FLAG;
    }

    private static String readLatin1(ByteBuffer in, int length, String field, int pairStart) throws FcgiException {
        if (in.remaining() < length) {
            throw truncated(field, length, in.remaining(), pairStart);
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static FcgiException truncated(String field, int needed, int left, int pairStart) {
        return new FcgiException("name-value pair at offset " + pairStart + " truncated: " + field + " needs "
                + needed + " bytes, " + left + " left");
    }
}
