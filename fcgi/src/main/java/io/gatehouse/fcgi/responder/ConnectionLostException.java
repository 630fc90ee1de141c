package io.gatehouse.fcgi.responder;

import java.io.IOException;

/**
 * The web server's connection failed or closed while a request needed it. Marks failures that end
 * the connection quietly: a peer hanging up is routine, not an application error.
 *
 * <p>Immutable; safe to share between threads.
 */
final class ConnectionLostException extends IOException {

    ConnectionLostException(String message) {
        super(message);
    }

    ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
