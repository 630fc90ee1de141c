package io.gatehouse.fcgi.responder;

import java.io.IOException;

/**
 * The web server sent ABORT_REQUEST for the request being read: the application should stop.
 *
 * <p>Immutable; safe to share between threads.
 */
final class RequestAbortedException extends IOException {

    RequestAbortedException(int requestId) {
        super("request id " + requestId + " was aborted by the web server (ABORT_REQUEST)");
    }
}
