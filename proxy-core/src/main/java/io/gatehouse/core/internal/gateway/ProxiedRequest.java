package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.gatehouse.core.internal.backend.BackendHost;
import io.gatehouse.core.internal.backend.BackendPool;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.protocol.BackendProtocol;
import io.gatehouse.core.internal.protocol.ScgiProtocol;
import io.gatehouse.core.internal.route.RouteMatch;
import io.gatehouse.scgi.ScgiException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * One request proxied to a route's backends on its client connection's I/O thread, over as many
 * tries as it takes: a host is picked, the request framed for it and sent ({@link BackendCall});
 * a try that reached no backend (refused, timed out connecting, closed before a byte was taken)
 * leads to the next pick, as lighttpd retries up to {@link #MAX_TRIES} times before a 503. When
 * every host is out of rotation but some are spawned children (crashed and being respawned), the
 * request waits for one to come back, up to the route's connect-timeout, on a timer of its thread:
 * lighttpd answers 503 then.
 *
 * <p>Confined to the I/O thread.
 */
final class ProxiedRequest {

    /** lighttpd's {@code gw_reconnect} limit: tries before answering 503. */
    static final int MAX_TRIES = 5;

    /** How often a request waiting for a respawned child looks again. */
    private static final long RESPAWN_POLL_MILLIS = 10;

    private final HttpServerExchange exchange;
    private final XnioIoThread ioThread;
    private final RouteMatch match;
    private final BackendPool pool;
    private final BackendProtocol protocol;
    private final RequestBody body;
    private final CgiHead cgiHead;
    private final ErrorLog errorLog;
    private final ReadBuffers buffers;
    /** {@code server.upload-dirs}: where a response a slow client has not taken yet is spooled. */
    private final ResponseSpool.Place spoolPlace;
    private final String hashKey;
    private int tries;
    /** While every host is out of rotation: until when the request waits for a respawn. */
    private long respawnDeadline;
    private XnioExecutor.Key respawnTimer;
    private boolean ended;

    /** Builds a request's head for a host: its CGI variables and, for FastCGI, its keep-connection flag. */
    interface CgiHead {

        ByteBuffer build(BackendProtocol protocol, boolean keepConn) throws IOException;
    }

    ProxiedRequest(HttpServerExchange exchange, RouteMatch match, BackendPool pool, BackendProtocol protocol,
            RequestBody body, CgiHead cgiHead, ErrorLog errorLog, ReadBuffers buffers, ResponseSpool.Place spoolPlace,
            String hashKey) {
        this.exchange = exchange;
        this.ioThread = exchange.getIoThread();
        this.match = match;
        this.pool = pool;
        this.protocol = protocol;
        this.body = body;
        this.cgiHead = cgiHead;
        this.errorLog = errorLog;
        this.buffers = buffers;
        this.spoolPlace = spoolPlace;
        this.hashKey = hashKey;
    }

    /** Starts the first try. Call on the I/O thread, inside the root handler call or once the body is collected. */
    void start() {
        exchange.addExchangeCompleteListener((ex, next) -> {
            ended = true; // the response ended, or the client left: a waiting request waits no more
            if (respawnTimer != null) {
                respawnTimer.remove();
            }
            next.proceed();
        });
        // Undertow ends an exchange whose handler returns undispatched; this one ends when the response does.
        exchange.dispatch(SameThreadExecutor.INSTANCE, this::tryNextHost);
    }

    private void tryNextHost() {
        respawnTimer = null;
        if (ended) {
            return;
        }
        BackendHost host = pool.pick(hashKey);
        if (host == null) {
            if (awaitRespawn()) {
                respawnTimer = ioThread.executeAfter(this::tryNextHost, RESPAWN_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                allDown();
            }
            return;
        }
        respawnDeadline = 0;
        if (++tries > MAX_TRIES) {
            allDown();
            return;
        }
        OutgoingRequest request = requestFor(host);
        if (request != null) {
            new BackendCall(exchange, host, protocol, request, body.length() > 0, errorLog, buffers,
                    spoolPlace, this::tryNextHost).start();
        }
    }

    /**
     * True while some host is a spawned child that may come back and the wait for its return has
     * not run out. Children of a stopped backend never come back: waiting for them would hold the
     * request for the whole connect-timeout for nothing.
     */
    private boolean awaitRespawn() {
        if (pool.hosts().stream().noneMatch(BackendHost::mayRespawn)) {
            return false;
        }
        long now = System.nanoTime();
        if (respawnDeadline == 0) {
            Duration timeout = match.firstBackend().connectTimeout();
            respawnDeadline = now + timeout.toNanos();
        }
        return now - respawnDeadline < 0;
    }

    /** The request framed for {@code host}; null when it cannot be, and the client was answered. */
    private OutgoingRequest requestFor(BackendHost host) {
        ByteBuffer head;
        try {
            head = cgiHead.build(protocol, host.keepsConnections());
        } catch (ScgiException e) {
            // uwsgi's packet size is 16 bits: lighttpd answers 431 when the headers do not fit.
            refuse(protocol == ScgiProtocol.UWSGI ? StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : StatusCodes.BAD_REQUEST, e);
            return null;
        } catch (IOException e) {
            refuse(StatusCodes.BAD_REQUEST, e);
            return null;
        }
        try {
            return OutgoingRequest.of(protocol, head, body);
        } catch (IOException e) {
            errorLog.error("gateway", "reading the spooled body of " + exchange.getRequestURI() + " failed: "
                    + e.getMessage());
            ErrorPages.send(exchange, StatusCodes.INTERNAL_SERVER_ERROR);
            return null;
        }
    }

    private void refuse(int status, IOException e) {
        errorLog.warn("gateway", e.getMessage() + " for " + exchange.getRequestURI());
        ErrorPages.send(exchange, status);
    }

    private void allDown() {
        errorLog.error("gw-backend", "all handlers for " + exchange.getRequestURI()
                + (exchange.getQueryString().isEmpty() ? "" : "?" + exchange.getQueryString())
                + " on \"" + match.route().key() + "\" are down");
        ErrorPages.send(exchange, StatusCodes.SERVICE_UNAVAILABLE);
    }
}
