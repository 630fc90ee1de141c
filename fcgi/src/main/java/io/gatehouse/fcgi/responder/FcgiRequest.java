package io.gatehouse.fcgi.responder;

import java.io.InputStream;
import java.util.Map;

/**
 * One FastCGI request as a responder application sees it.
 *
 * <p>Not thread-safe: use it from the thread that runs {@link FcgiApplication#handle}, and only
 * while that call lasts.
 */
public interface FcgiRequest {

    /** The CGI params in wire order, as byte strings (one char per octet); unmodifiable. */
    Map<String, String> params();

    /**
     * The request body (the STDIN stream), read from the connection as the application reads it;
     * ends at the empty STDIN record. A read fails with an {@link java.io.IOException} if the web
     * server aborts the request or the connection is lost.
     */
    InputStream body();

    /** The request id the web server chose, 1..65535. */
    int requestId();
}
