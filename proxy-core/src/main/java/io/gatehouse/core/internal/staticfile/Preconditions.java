package io.gatehouse.core.internal.staticfile;

import java.util.Date;
import java.util.List;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

/**
 * The conditional headers of a static-file request, in lighttpd 1.4.69's order
 * ({@code http_response_handle_cachable}, {@code http_range_rfc7233}): {@code If-None-Match}, when
 * present and the file has an ETag, decides alone (a match is 304 for GET and HEAD, 412 otherwise; weak tags do not match
 * a request with a Range); otherwise {@code If-Modified-Since} on GET and HEAD is 304 when it
 * equals Last-Modified or is a date not before the file's time. {@code If-Range} must equal the
 * ETag (a quoted value) or Last-Modified exactly, or the Range is ignored.
 *
 * <p>Stateless; thread-safe.
 */
final class Preconditions {

    private Preconditions() {
    }

    /** 304 or 412 when a precondition answers the request, else 0. */
    static int check(HttpServerExchange exchange, String etag, String lastModified, long mtimeSeconds) {
        HeaderMap request = exchange.getRequestHeaders();
        boolean getOrHead = exchange.getRequestMethod().equals(Methods.GET)
                || exchange.getRequestMethod().equals(Methods.HEAD);
        // Without an ETag (static-file.etags disabled) lighttpd skips If-None-Match, "*" included,
        // and goes on to If-Modified-Since (measured).
        String ifNoneMatch = etag == null ? null : request.getFirst(Headers.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            boolean weakOk = !request.contains(Headers.RANGE);
            if (!EntityTag.matches(etag, ifNoneMatch, weakOk)) {
                return 0;
            }
            return getOrHead ? StatusCodes.NOT_MODIFIED : StatusCodes.PRECONDITION_FAILED;
        }
        String ifModifiedSince = request.getFirst(Headers.IF_MODIFIED_SINCE);
        if (!getOrHead || ifModifiedSince == null) {
            return 0;
        }
        if (ifModifiedSince.equals(lastModified)) {
            return StatusCodes.NOT_MODIFIED;
        }
        Date since = DateUtils.parseDate(ifModifiedSince);
        return since != null && mtimeSeconds <= since.getTime() / 1000 ? StatusCodes.NOT_MODIFIED : 0;
    }

    /** The Range of a GET to send ({@link ByteRanges#parse}), or null for the whole file. */
    static List<long[]> ranges(HttpServerExchange exchange, long size) {
        HeaderMap request = exchange.getRequestHeaders();
        String range = request.getFirst(Headers.RANGE);
        if (range == null) {
            return null;
        }
        String ifRange = request.getFirst(Headers.IF_RANGE);
        if (ifRange != null) {
            HeaderMap response = exchange.getResponseHeaders();
            String validator = response.getFirst(ifRange.startsWith("\"") ? Headers.ETAG : Headers.LAST_MODIFIED);
            if (!ifRange.equals(validator)) {
                return null;
            }
        }
        return ByteRanges.parse(range, size);
    }
}
