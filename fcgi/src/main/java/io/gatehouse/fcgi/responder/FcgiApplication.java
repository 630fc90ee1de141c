package io.gatehouse.fcgi.responder;

import java.io.IOException;

/**
 * A FastCGI responder application: answers one request at a time, given its params and body.
 *
 * <p>Implementations must be thread-safe: {@link FcgiResponder} calls {@link #handle} from one
 * thread per connection, so requests on different connections run concurrently.
 */
@FunctionalInterface
public interface FcgiApplication {

    /**
     * Answers one request: reads the body from {@code request.body()} if it wants it and writes a
     * CGI response (headers, blank line, body) to {@code response.stdout()}. Both objects are valid
     * only until this method returns. A thrown exception ends the request with appStatus 1 (and a
     * {@code Status: 500} response if nothing was written yet).
     */
    void handle(FcgiRequest request, FcgiResponse response) throws IOException;
}
