package io.gatehouse.scgi.responder;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;

import io.gatehouse.scgi.RequestHeaderParser;
import io.gatehouse.scgi.ScgiException;
import io.gatehouse.scgi.ScgiRequestGenerator;
import io.gatehouse.scgi.ScgiRequestParser;
import io.gatehouse.scgi.UwsgiRequestGenerator;
import io.gatehouse.scgi.UwsgiRequestParser;

/**
 * The two request framings of {@code scgi.server}: {@code scgi.protocol = "scgi"} (the default)
 * and {@code "uwsgi"}. Both answer with a CGI-style stream ended by EOF.
 *
 * <p>Immutable: thread-safe.
 */
public enum ScgiProtocol {
    SCGI,
    UWSGI;

    /** A fresh server-side parser for one request header of this protocol. */
    public RequestHeaderParser newParser() {
        return this == SCGI ? new ScgiRequestParser() : new UwsgiRequestParser();
    }

    /** The client-side request header of this protocol (flipped, ready to write). */
    public ByteBuffer header(Map<String, String> env) throws ScgiException {
        return this == SCGI ? ScgiRequestGenerator.header(env) : UwsgiRequestGenerator.header(env);
    }

    /**
     * The protocol named as in {@code scgi.protocol}: "scgi" or "uwsgi", any case.
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static ScgiProtocol fromConfigName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "scgi" -> SCGI;
            case "uwsgi" -> UWSGI;
            default -> throw new IllegalArgumentException("unknown SCGI protocol \"" + name
                    + "\"; expected \"scgi\" or \"uwsgi\"");
        };
    }
}
