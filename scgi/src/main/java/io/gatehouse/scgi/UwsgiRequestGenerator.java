package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Encodes CGI variables as the header of a uwsgi request: the 4-byte packet header (modifier1 0,
 * u16 little-endian datasize, modifier2 0) and the vars, each name and value prefixed by its u16
 * little-endian length, in map order. The caller writes the body after it.
 *
 * <p>Stateless: thread-safe.
 */
public final class UwsgiRequestGenerator {

    private static final String PROTOCOL = "uwsgi";

    /** Bytes of one length prefix: a u16. */
    private static final int LENGTH_PREFIX = 2;

    private UwsgiRequestGenerator() {
    }

    /**
     * The uwsgi packet header + vars (flipped, ready to write).
     *
     * @param env CGI variables as byte strings (one char per octet), insertion-ordered; NUL is
     *     allowed since lengths are explicit
     * @throws ScgiException if the vars take more than {@link Uwsgi#MAX_PACKET_SIZE} bytes (the
     *     proxy answers 431 then, as lighttpd), a name is empty, or a char is above U+00FF
     */
    public static ByteBuffer header(Map<String, String> env) throws ScgiException {
        EnvValues.check(PROTOCOL, env, true);
        long datasize = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            datasize += LENGTH_PREFIX + (long) e.getKey().length() + LENGTH_PREFIX + e.getValue().length();
        }
        if (datasize > Uwsgi.MAX_PACKET_SIZE) {
            throw new ScgiException("uwsgi datasize " + datasize + " bytes (" + env.size()
                    + " vars) exceeds the limit " + Uwsgi.MAX_PACKET_SIZE
                    + " (a u16 on the wire): request header fields too large");
        }

        ByteBuffer out = ByteBuffer.allocate(Uwsgi.HEADER_LENGTH + (int) datasize).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) Uwsgi.MODIFIER1_VARS);
        out.putShort((short) datasize);
        out.put((byte) Uwsgi.MODIFIER2_VARS);
        for (Map.Entry<String, String> e : env.entrySet()) {
            putString(out, e.getKey());
            putString(out, e.getValue());
        }
        return out.flip();
    }

    private static void putString(ByteBuffer out, String s) {
        out.putShort((short) s.length());
        EnvValues.putOctets(out, s);
    }
}
