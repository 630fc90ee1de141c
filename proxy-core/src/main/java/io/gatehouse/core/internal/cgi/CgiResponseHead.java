package io.gatehouse.core.internal.cgi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One parsed CGI response head: the status the client gets and the headers to forward.
 *
 * <p>{@code headers} holds every header to send to the client, in the backend's order, names
 * with the backend's case, values trimmed. It never contains {@code Status} or a hop-by-hop
 * header ({@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code Transfer-Encoding}, {@code Upgrade}, {@code TE}, {@code Trailer}). A valid
 * {@code Content-Length} is kept in it exactly once (so copying the list gives correct framing)
 * and mirrored in {@code contentLength}; when the body is {@code chunked} there is no
 * {@code Content-Length} (chunked framing overrides it, RFC 9112 §6.3) and the caller must pass
 * the body through a {@link ChunkedBodyDecoder}.
 *
 * <p>Immutable, so safe to share between threads.
 *
 * @param status          HTTP status, 100..999: from {@code Status:}, an NPH status line,
 *                        302 for a {@code Location} without a status, else 200
 * @param reason          reason phrase the backend gave with its status, or {@code null}
 * @param headers         headers to forward (see above)
 * @param contentLength   body length the backend declared, or -1 when unknown
 * @param chunked         the body arrives in chunked framing and must be decoded
 * @param closeConnection the backend asked for {@code Connection: close}: end client keep-alive
 * @param droppedLines    header lines dropped as malformed (no ':' or invalid name/value bytes), for logging
 */
public record CgiResponseHead(int status, String reason, List<Map.Entry<String, String>> headers,
        long contentLength, boolean chunked, boolean closeConnection, int droppedLines) {

    public CgiResponseHead {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status " + status + " is outside 100..999");
        }
        if (contentLength < -1) {
            throw new IllegalArgumentException("contentLength " + contentLength + " is below -1");
        }
        headers = List.copyOf(headers);
    }

    /** A 1xx head: more heads follow on the same response (see {@link CgiResponseParser#continueAfterInterim()}). */
    public boolean interim() {
        return status < 200;
    }

    /** Value of the first forwarded header named {@code name} (ASCII case-insensitive), or {@code null}. */
    public String header(String name) {
        Objects.requireNonNull(name, "name");
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }
}
