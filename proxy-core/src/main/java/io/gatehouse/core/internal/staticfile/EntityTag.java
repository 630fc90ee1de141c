package io.gatehouse.core.internal.staticfile;

import io.gatehouse.conf.StaticFileOptions;

/**
 * The ETag lighttpd 1.4.69 sends for a file ({@code http_etag_create}) and its comparison with
 * {@code If-None-Match} ({@code http_etag_matches}). The tag is a quoted decimal hash of the
 * file's inode, size and modification time (seconds, then nanoseconds), each as a little-endian
 * 64-bit number and each left out when its {@code etag.use-*} is disabled; the hash is Knuth's
 * multiplicative-free shift-xor hash seeded with the byte count, as lighttpd's {@code dekhash}.
 * The same file therefore carries the same ETag from lighttpd and from gatehouse.
 *
 * <p>Stateless; thread-safe.
 */
public final class EntityTag {

    private EntityTag() {
    }

    /** The ETag for a file, or null when {@code options} disable ETags (or every part of them). */
    public static String of(StaticFileOptions options, long inode, long size, long mtimeSeconds, int mtimeNanos) {
        if (!options.etags()) {
            return null;
        }
        long[] parts = new long[4];
        int count = 0;
        if (options.etagUseInode()) {
            parts[count++] = inode;
        }
        if (options.etagUseSize()) {
            parts[count++] = size;
        }
        if (options.etagUseMtime()) {
            parts[count++] = mtimeSeconds;
            parts[count++] = mtimeNanos;
        }
        if (count == 0) {
            return null;
        }
        int hash = count * Long.BYTES;
        for (int i = 0; i < count; i++) {
            for (int b = 0; b < Long.BYTES; b++) {
                hash = (hash << 5) ^ (hash >>> 27) ^ (int) ((parts[i] >>> (8 * b)) & 0xff);
            }
        }
        return "\"" + Integer.toUnsignedString(hash) + "\"";
    }

    /**
     * Whether the {@code If-None-Match} (or similar) list {@code header} names {@code etag}:
     * {@code *} matches any; {@code W/} tags match only when {@code weakOk} (lighttpd refuses
     * them for a request with a Range).
     */
    public static boolean matches(String etag, String header, boolean weakOk) {
        if (header.equals("*")) {
            return true;
        }
        if (etag == null || etag.isEmpty()) {
            return false;
        }
        int i = 0;
        int n = header.length();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t' || header.charAt(i) == ',')) {
                i++;
            }
            boolean candidate = true;
            if (header.startsWith("W/", i)) {
                i += 2;
                candidate = weakOk;
            }
            if (candidate && i < n) {
                int end = header.charAt(i) == '*' ? i + 1 : header.startsWith(etag, i) ? i + etag.length() : -1;
                if (end > 0 && (end == n || " \t,".indexOf(header.charAt(end)) >= 0)) {
                    return true;
                }
            }
            while (i < n && header.charAt(i) != ',') {
                i++;
            }
        }
        return false;
    }
}
