package io.gatehouse.core.internal.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;

/**
 * The size of a parsed request head as it came on the wire: request line, header lines, the
 * empty line; what {@code server.max-request-field-size} limits.
 *
 * <p>Undertow's parser refuses a head over its own limit with a fixed 400 while reading it, which
 * bounds the memory unfinished heads hold but cannot give lighttpd's 431. So the listeners let
 * Undertow read heads up to {@link #PARSER_ALLOWANCE} times the configured limit, and a head over
 * the limit itself is answered 431 here, once parsed: an over-long cookie or referrer gets
 * lighttpd's answer, and only a head past the allowance gets Undertow's 400.
 *
 * <p>Stateless; thread-safe.
 */
public final class RequestHeadSize {

    /** How many times the configured limit Undertow reads before it refuses a head itself. */
    public static final int PARSER_ALLOWANCE = 2;

    private static final int SEPARATOR_AND_CRLF = 4;
    private static final int CRLF = 2;

    private RequestHeadSize() {
    }

    /** Undertow's MAX_HEADER_SIZE for a configured {@code server.max-request-field-size}. */
    public static int parserLimit(int maxRequestFieldSize) {
        return PARSER_ALLOWANCE * maxRequestFieldSize;
    }

    /** The bytes of {@code exchange}'s head: {@code METHOD SP target SP protocol CRLF}, each {@code name: value CRLF}, CRLF. */
    public static long of(HttpServerExchange exchange) {
        long size = exchange.getRequestMethod().length() + 1 + RequestTarget.rawTarget(exchange).length() + 1
                + exchange.getProtocol().length() + CRLF;
        for (HeaderValues values : exchange.getRequestHeaders()) {
            int name = values.getHeaderName().length();
            for (String value : values) {
                size += name + value.length() + SEPARATOR_AND_CRLF;
            }
        }
        return size + CRLF;
    }
}
