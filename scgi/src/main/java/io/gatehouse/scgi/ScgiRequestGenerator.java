package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Encodes CGI variables as the netstring header of an SCGI request, in lighttpd's order:
 * CONTENT_LENGTH first (SCGI requires it), the other variables in map order, then {@code SCGI=1}.
 * The caller writes the body (exactly CONTENT_LENGTH bytes) after the header.
 *
 * <p>Stateless: thread-safe.
 */
public final class ScgiRequestGenerator {

    private ScgiRequestGenerator() {
    }

    /**
     * The netstring header (flipped, ready to write). CONTENT_LENGTH is written first wherever it
     * sits in {@code env}, the rest in order, then SCGI=1 unless {@code env} already has SCGI.
     *
     * @param env CGI variables as byte strings (one char per octet), insertion-ordered
     * @throws ScgiException if CONTENT_LENGTH is missing or not a non-negative integer, SCGI is
     *     not "1", a name is empty, or a name or value holds NUL or a char above U+00FF
     */
    public static ByteBuffer header(Map<String, String> env) throws ScgiException {
        ScgiHeaderWriter writer = new ScgiHeaderWriter();
        for (Map.Entry<String, String> e : env.entrySet()) {
            writer.put(e.getKey(), e.getValue());
        }
        return writer.finish();
    }
}
