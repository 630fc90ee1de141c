package io.gatehouse.core.internal.http;

import io.gatehouse.conf.HttpParseOption;
import io.gatehouse.conf.HttpParseOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.Protocols;
import io.undertow.util.StatusCodes;

/**
 * The checks of a request head that decide whether its body can be framed for sure, made before
 * anything reads the body or forwards the request. Undertow reads a Content-Length past 63 bits
 * modulo 2^64 and lets a Transfer-Encoding it does not know run to the end of the connection, so
 * a request whose length is in doubt would leave the next request on the connection at an
 * attacker's chosen offset (request smuggling); lighttpd answers each such head with 400 or 501,
 * and so does gatehouse, always closing the connection after the answer.
 *
 * <p>Stateless; thread-safe.
 */
public final class RequestFraming {

    private RequestFraming() {
    }

    /**
     * The status to answer {@code exchange} with, or 0 when its head is sound.
     *
     * <p>400 for a Content-Length that is not a plain decimal within 63 bits, Content-Length
     * headers that disagree, or a body on GET or HEAD (unless {@code method-get-body}); 501 for a
     * method that is not an upper-case token (lighttpd knows no lower-case method) or a
     * Transfer-Encoding other than {@code chunked}.
     */
    public static int check(HttpServerExchange exchange, HttpParseOptions options) {
        if (!isUpperCaseToken(exchange.getRequestMethod().toString())) {
            return StatusCodes.NOT_IMPLEMENTED;
        }
        HeaderValues lengths = exchange.getRequestHeaders().get(Headers.CONTENT_LENGTH);
        long length = lengths == null ? -1 : contentLength(lengths);
        if (length == -2) {
            return StatusCodes.BAD_REQUEST;
        }
        HeaderValues codings = exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING);
        if (codings != null) {
            if (lengths != null || !exchange.getProtocol().equals(Protocols.HTTP_1_1)) {
                return StatusCodes.BAD_REQUEST;
            }
            if (codings.size() != 1 || !codings.getFirst().trim().equalsIgnoreCase("chunked")) {
                return StatusCodes.NOT_IMPLEMENTED;
            }
        }
        boolean hasBody = codings != null || length > 0;
        if (hasBody && !options.enabled(HttpParseOption.METHOD_GET_BODY)
                && (exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD))) {
            return StatusCodes.BAD_REQUEST;
        }
        return 0;
    }

    /** The length all the values agree on, or -2 when one is malformed or they differ. */
    static long contentLength(HeaderValues values) {
        long length = -1;
        for (String value : values) {
            long parsed = parseLength(value);
            if (parsed < 0 || (length >= 0 && parsed != length)) {
                return -2;
            }
            length = parsed;
        }
        return length;
    }

    /** A plain decimal within 63 bits, or -1: no sign, no spaces inside, no list, no overflow. */
    static long parseLength(String value) {
        String digits = value.trim();
        if (digits.isEmpty()) {
            return -1;
        }
        long length = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (length > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            length = length * 10 + (c - '0');
        }
        return length;
    }

    /** RFC 9110 token characters, letters upper-case only. */
    static boolean isUpperCaseToken(String method) {
        if (method.isEmpty()) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
