package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Encodes CGI variables as the header of a uwsgi request: the 4-byte packet header (modifier1 0,
 * u16 little-endian datasize, modifier2 0) and the vars, each name and value prefixed by its u16
 * little-endian length, in map order. The caller writes the body after it.
 *
 * <p>Stateless: thread-safe.
 */
public final class UwsgiRequestGenerator {

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
        UwsgiHeaderWriter writer = new UwsgiHeaderWriter();
        for (Map.Entry<String, String> e : env.entrySet()) {
            writer.put(e.getKey(), e.getValue());
        }
        return writer.finish();
    }
}
