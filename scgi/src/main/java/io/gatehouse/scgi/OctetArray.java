package io.gatehouse.scgi;

/**
 * The growing bytes of one request header, CGI variables written into it as they come: one octet
 * per char, each char checked on the way (the byte-string rules of {@link EnvValues}), so a
 * header is built in one pass with no map and no second copy of the strings.
 *
 * <p>Not thread-safe: one per request, used by one thread.
 */
final class OctetArray {

    /** Largest array the JDK can allocate; a header past it cannot be held, let alone sent. */
    static final int MAX_LENGTH = Integer.MAX_VALUE - 16;
    /** Enough for the variables of a typical request, so most never grow the array. */
    private static final int INITIAL_CAPACITY = 1024;

    private final String protocol;
    private final boolean nulAllowed;
    byte[] bytes = new byte[INITIAL_CAPACITY];
    /** Where the next byte goes. */
    int end;

    /**
     * @param reserved   bytes left free at the start, for what precedes the variables
     * @param nulAllowed whether NUL may appear in names and values (uwsgi: lengths are explicit)
     */
    OctetArray(String protocol, int reserved, boolean nulAllowed) {
        this.protocol = protocol;
        this.nulAllowed = nulAllowed;
        this.end = reserved;
    }

    /**
     * Appends {@code s} one octet per char.
     *
     * @throws ScgiException naming {@code name} and {@code part} when a char is above U+00FF, or
     *                       NUL where it is not allowed; the array is as before
     */
    void putOctets(String name, String part, String s) throws ScgiException {
        ensureRoom(s.length());
        byte[] b = bytes;
        int at = end;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > EnvValues.MAX_OCTET || (c == 0 && !nulAllowed)) {
                throw EnvValues.badOctet(protocol, name, part, s, i);
            }
            b[at++] = (byte) c;
        }
        end = at;
    }

    void put(byte b) throws ScgiException {
        ensureRoom(1);
        bytes[end++] = b;
    }

    /** A u16, little-endian (uwsgi's lengths). */
    void putU16(int value) throws ScgiException {
        ensureRoom(2);
        bytes[end++] = (byte) value;
        bytes[end++] = (byte) (value >>> 8);
    }

    void ensureRoom(int more) throws ScgiException {
        if (bytes.length - end >= more) {
            return;
        }
        long needed = (long) end + more;
        if (needed > MAX_LENGTH) {
            throw new ScgiException(protocol + " header size " + needed + " bytes exceeds the buffer limit "
                    + MAX_LENGTH);
        }
        byte[] grown = new byte[(int) Math.min(MAX_LENGTH, Math.max((long) bytes.length * 2, needed))];
        System.arraycopy(bytes, 0, grown, 0, end);
        bytes = grown;
    }
}
