package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The netstring header of an SCGI request, written variable by variable straight into the bytes
 * that go on the wire, in lighttpd's order: CONTENT_LENGTH first (SCGI requires it, wherever it
 * came), the others as they come, then {@code SCGI=1} unless one came. A web server hands over
 * each CGI variable as it computes it, with no map of them. {@link ScgiRequestGenerator#header}
 * is this for a map.
 *
 * <p>Not thread-safe: one writer per request, used by one thread.
 */
public final class ScgiHeaderWriter {

    private static final String PROTOCOL = "SCGI";
    /**
     * Left free before the variables for the length digits, the colon and the CONTENT_LENGTH pair,
     * which are known last: 10 digits of an int, ':', "CONTENT_LENGTH\0", 19 digits of a long, NUL
     * (a value padded with zeros past that makes {@link #finish} copy the variables once).
     */
    private static final int RESERVED = 10 + 1 + Scgi.CONTENT_LENGTH.length() + 1 + 19 + 1;

    private final OctetArray out = new OctetArray(PROTOCOL, RESERVED, false);
    private String contentLength;
    private boolean versionGiven;

    /**
     * Adds one variable after the ones added before.
     *
     * @throws ScgiException if the name is empty, the value null, a char is above U+00FF or NUL,
     *                       CONTENT_LENGTH is not a non-negative integer, or SCGI is not "1"
     */
    public ScgiHeaderWriter put(String name, String value) throws ScgiException {
        EnvValues.checkPair(PROTOCOL, name, value);
        if (name.equals(Scgi.CONTENT_LENGTH)) {
            EnvValues.parseContentLength(PROTOCOL, value);
            contentLength = value;
            return this;
        }
        if (name.equals(Scgi.SCGI)) {
            if (!value.equals(Scgi.SCGI_VERSION)) {
                throw new ScgiException("SCGI variable " + Scgi.SCGI + " is " + Printable.quote(value)
                        + "; the only protocol version is \"" + Scgi.SCGI_VERSION + "\"");
            }
            versionGiven = true;
        }
        putPair(name, value);
        return this;
    }

    /**
     * The header, ready to write (position 0, limit at its end). Call once, after the last variable.
     *
     * @throws ScgiException if no CONTENT_LENGTH was given
     */
    public ByteBuffer finish() throws ScgiException {
        if (contentLength == null) {
            throw new ScgiException("SCGI request has no " + Scgi.CONTENT_LENGTH
                    + ": SCGI requires it as the first variable (\"0\" for no body)");
        }
        if (!versionGiven) {
            putPair(Scgi.SCGI, Scgi.SCGI_VERSION);
        }
        out.put((byte) ',');
        int variables = out.end - RESERVED;
        int contentLengthPair = Scgi.CONTENT_LENGTH.length() + 1 + contentLength.length() + 1;
        byte[] digits = Long.toString((long) contentLengthPair + variables - 1).getBytes(StandardCharsets.US_ASCII);
        int prefix = digits.length + 1 + contentLengthPair;
        if ((long) prefix + variables > OctetArray.MAX_LENGTH) {
            throw new ScgiException("SCGI header size " + ((long) prefix + variables)
                    + " bytes exceeds the buffer limit " + OctetArray.MAX_LENGTH);
        }
        byte[] bytes = out.bytes;
        int start = RESERVED - prefix;
        if (start < 0) {
            // A CONTENT_LENGTH padded with zeros past the room left for it: the variables move.
            bytes = new byte[prefix + variables];
            System.arraycopy(out.bytes, RESERVED, bytes, prefix, variables);
            start = 0;
        }
        int at = start;
        System.arraycopy(digits, 0, bytes, at, digits.length);
        at += digits.length;
        bytes[at++] = ':';
        at = latin1(bytes, at, Scgi.CONTENT_LENGTH);
        bytes[at++] = 0;
        at = latin1(bytes, at, contentLength);
        bytes[at] = 0;
        return ByteBuffer.wrap(bytes, start, prefix + variables).slice();
    }

    private void putPair(String name, String value) throws ScgiException {
        out.putOctets(name, "name", name);
        out.put((byte) 0);
        out.putOctets(name, "value", value);
        out.put((byte) 0);
    }

    /** Writes checked ASCII {@code s} at {@code at}; returns where it ends. */
    private static int latin1(byte[] bytes, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            bytes[at++] = (byte) s.charAt(i);
        }
        return at;
    }
}
