package io.gatehouse.core.internal.log;

import java.time.ZonedDateTime;

/**
 * What an access-log line is made of: the facts about one finished request, read by
 * {@link AccessLogFormat#format(AccessLogEntry, StringBuilder)}.
 *
 * <p>String accessors return {@code null} (or an empty string) when the value is absent; the
 * format prints {@code -} for it where lighttpd does. Header lookups are ASCII case-insensitive
 * and return the first value. Implementations are read by the thread that formats the line; an
 * implementation handed to another thread must be safely published (an immutable snapshot is
 * simplest).
 */
public interface AccessLogEntry {

    /** Client IP address as text. */
    String remoteAddr();

    /** Local IP address the request arrived on. */
    String localAddr();

    /** Local port the request arrived on. */
    int localPort();

    /** Authenticated user name, or {@code null}. */
    String remoteUser();

    /** When the request started; its zone is the zone timestamps are printed in. */
    ZonedDateTime startTime();

    /** Time from start to the end of the response, in nanoseconds. */
    long durationNanos();

    /** The request line as received ({@code GET /a?b HTTP/1.1}), or {@code null} to rebuild it from its parts. */
    String requestLine();

    String method();

    /** {@code HTTP/1.1}, {@code HTTP/1.0}, ... */
    String protocol();

    /** Request path without the query string, as received. */
    String urlPath();

    /** Query string without the leading {@code ?}, or {@code null}/empty when there is none. */
    String queryString();

    int status();

    /** Response body bytes written to the client. */
    long bytesSent();

    /** Bytes read from the client (request head and body). */
    long bytesReceived();

    /** First value of the named request header, or {@code null}. */
    String requestHeader(String name);

    /** First value of the named response header, or {@code null}. */
    String responseHeader(String name);

    /** The Host the client asked for (authority, may carry a port), or {@code null}. */
    String host();

    /** File the request was mapped to, or {@code null}. */
    String physicalPath();

    /** The connection stays open for another request. */
    boolean keepAlive();

    /** The response was aborted before it was complete. */
    boolean aborted();
}
