package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;

import io.gatehouse.core.internal.cgi.BadGatewayException;
import io.gatehouse.fcgi.FcgiException;
import io.undertow.util.StatusCodes;

/**
 * Why a try of a request on a backend failed, and what follows from it: the one place where
 * failures are told apart (by what happened and by exception type, never by an exception's
 * message) and mapped to lighttpd's status codes and retry rules.
 */
enum BackendFailure {

    /** The connect was refused, the socket is missing, or the connect timed out: the host is disabled, the next pick tried. */
    UNREACHABLE(StatusCodes.SERVICE_UNAVAILABLE),
    /** A unix socket's listen queue is full: the backend is busy, not down; connect again shortly. */
    LISTEN_QUEUE_FULL(StatusCodes.SERVICE_UNAVAILABLE),
    /** The connection closed before the backend took a byte of the request: the next pick is tried. */
    CLOSED_BEFORE_REQUEST(StatusCodes.SERVICE_UNAVAILABLE),
    /** The backend took the request and closed (or reset) without a byte of response. */
    NO_RESPONSE(StatusCodes.INTERNAL_SERVER_ERROR),
    /** The response broke the protocol, or ended inside its head or body. */
    MALFORMED_RESPONSE(StatusCodes.BAD_GATEWAY),
    /** The backend took no byte of the request, or sent none of the response, within its timeout. */
    TIMED_OUT(StatusCodes.GATEWAY_TIME_OUT),
    /** The client went away: nothing to answer. */
    CLIENT_GONE(0);

    private final int status;

    BackendFailure(int status) {
        this.status = status;
    }

    /** The status the client gets when nothing of the response went out yet. */
    int status() {
        return status;
    }

    /** True when the request may go to the next pick: nothing of it reached a backend. */
    boolean triesNextHost() {
        return this == UNREACHABLE || this == CLOSED_BEFORE_REQUEST;
    }

    /**
     * A failed connect to {@code address}. A non-blocking connect to a unix socket fails with
     * EAGAIN when the listen queue is full, which the JDK reports as a plain SocketException, as it
     * does ENOENT (no socket file); refusals and permission errors have exception types of their own.
     */
    static BackendFailure ofConnect(SocketAddress address, IOException e) {
        if (address instanceof UnixDomainSocketAddress unix && e.getClass() == SocketException.class
                && Files.exists(unix.getPath())) {
            return LISTEN_QUEUE_FULL;
        }
        return UNREACHABLE;
    }

    /**
     * A failure once connected.
     *
     * @param requestStarted a byte of the request was written
     * @param responseStarted a byte of the response's CGI output was read
     */
    static BackendFailure of(IOException e, boolean requestStarted, boolean responseStarted) {
        if (e instanceof ClientGoneException) {
            return CLIENT_GONE;
        }
        if (e instanceof BackendTimeoutException) {
            return TIMED_OUT; // a connect that timed out is classified by ofConnect
        }
        if (e instanceof BadGatewayException || e instanceof FcgiException || responseStarted) {
            return MALFORMED_RESPONSE;
        }
        return requestStarted ? NO_RESPONSE : CLOSED_BEFORE_REQUEST;
    }
}
