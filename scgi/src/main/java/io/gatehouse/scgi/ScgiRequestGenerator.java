package io.gatehouse.scgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Encodes CGI variables as the netstring header of an SCGI request, in lighttpd's order:
 * CONTENT_LENGTH first (SCGI requires it), the other variables in map order, then {@code SCGI=1}.
 * The caller writes the body (exactly CONTENT_LENGTH bytes) after the header.
 *
 * <p>Stateless: thread-safe.
 */
public final class ScgiRequestGenerator {

    private static final String PROTOCOL = "SCGI";

    /** Largest buffer the JDK can allocate; a header past it cannot be held, let alone sent. */
    private static final long MAX_BUFFER_SIZE = Integer.MAX_VALUE - 16;

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
        EnvValues.check(PROTOCOL, env, false);
        String contentLength = env.get(Scgi.CONTENT_LENGTH);
        if (contentLength == null) {
            throw new ScgiException("SCGI request has no " + Scgi.CONTENT_LENGTH
                    + ": SCGI requires it as the first variable (\"0\" for no body)");
        }
        EnvValues.parseContentLength(PROTOCOL, contentLength);
        String version = env.get(Scgi.SCGI);
        if (version != null && !version.equals(Scgi.SCGI_VERSION)) {
            throw new ScgiException("SCGI variable " + Scgi.SCGI + " is " + Printable.quote(version)
                    + "; the only protocol version is \"" + Scgi.SCGI_VERSION + "\"");
        }

        long contentSize = pairSize(Scgi.CONTENT_LENGTH, contentLength);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().equals(Scgi.CONTENT_LENGTH)) {
                contentSize += pairSize(e.getKey(), e.getValue());
            }
        }
        if (version == null) {
            contentSize += pairSize(Scgi.SCGI, Scgi.SCGI_VERSION);
        }
        byte[] lengthDigits = Long.toString(contentSize).getBytes(StandardCharsets.US_ASCII);
        long total = lengthDigits.length + 1 + contentSize + 1;
        if (total > MAX_BUFFER_SIZE) {
            throw new ScgiException("SCGI header size " + total + " bytes exceeds the buffer limit "
                    + MAX_BUFFER_SIZE);
        }

        ByteBuffer out = ByteBuffer.allocate((int) total);
        out.put(lengthDigits).put((byte) ':');
        putPair(out, Scgi.CONTENT_LENGTH, contentLength);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().equals(Scgi.CONTENT_LENGTH)) {
                putPair(out, e.getKey(), e.getValue());
            }
        }
        if (version == null) {
            putPair(out, Scgi.SCGI, Scgi.SCGI_VERSION);
        }
        out.put((byte) ',');
        return out.flip();
    }

    private static long pairSize(String name, String value) {
        return (long) name.length() + 1 + value.length() + 1;
    }

    private static void putPair(ByteBuffer out, String name, String value) {
        EnvValues.putOctets(out, name);
        out.put((byte) 0);
        EnvValues.putOctets(out, value);
        out.put((byte) 0);
    }
}
