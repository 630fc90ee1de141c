package io.gatehouse.scgi;

import java.nio.ByteBuffer;

/**
 * The header of a uwsgi request, written variable by variable straight into the bytes that go on
 * the wire: the 4-byte packet header (modifier1 0, u16 little-endian datasize, modifier2 0), then
 * each name and value prefixed by its u16 little-endian length, in the order they come.
 * {@link UwsgiRequestGenerator#header} is this for a map.
 *
 * <p>Not thread-safe: one writer per request, used by one thread.
 */
public final class UwsgiHeaderWriter {

    private static final String PROTOCOL = "uwsgi";

    private final OctetArray out = new OctetArray(PROTOCOL, Uwsgi.HEADER_LENGTH, true);
    private int vars;

    /**
     * Adds one variable after the ones added before; NUL is allowed (lengths are explicit).
     *
     * @throws ScgiException if the name is empty, the value null or a char is above U+00FF
     */
    public UwsgiHeaderWriter put(String name, String value) throws ScgiException {
        EnvValues.checkPair(PROTOCOL, name, value);
        putString(name, "name", name);
        putString(name, "value", value);
        vars++;
        return this;
    }

    /**
     * The header, ready to write (position 0, limit at its end). Call once, after the last variable.
     *
     * @throws ScgiException if the variables take more than {@link Uwsgi#MAX_PACKET_SIZE} bytes (the
     *                       proxy answers 431 then, as lighttpd)
     */
    public ByteBuffer finish() throws ScgiException {
        long datasize = out.end - Uwsgi.HEADER_LENGTH;
        if (datasize > Uwsgi.MAX_PACKET_SIZE) {
            throw new ScgiException("uwsgi datasize " + datasize + " bytes (" + vars
                    + " vars) exceeds the limit " + Uwsgi.MAX_PACKET_SIZE
                    + " (a u16 on the wire): request header fields too large");
        }
        byte[] bytes = out.bytes;
        bytes[0] = (byte) Uwsgi.MODIFIER1_VARS;
        bytes[1] = (byte) datasize;
        bytes[2] = (byte) (datasize >>> 8);
        bytes[3] = (byte) Uwsgi.MODIFIER2_VARS;
        return ByteBuffer.wrap(bytes, 0, out.end);
    }

    /**
     * A length and its string. A length over a u16 is written truncated: {@link #finish} refuses
     * the packet then, since its datasize is over the limit too.
     */
    private void putString(String name, String part, String s) throws ScgiException {
        out.putU16(s.length());
        out.putOctets(name, part, s);
    }
}
