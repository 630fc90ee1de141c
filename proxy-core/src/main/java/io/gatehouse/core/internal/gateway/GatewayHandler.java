package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.core.internal.backend.BackendPool;
import io.gatehouse.core.internal.cgi.CgiEnvironment;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.protocol.BackendProtocol;
import io.gatehouse.core.internal.protocol.FcgiProtocol;
import io.gatehouse.core.internal.protocol.ScgiProtocol;
import io.gatehouse.core.internal.route.RouteMatch;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Proxies requests to the backends of their routes, on their client connections' I/O threads:
 * reads a request's body whole first ({@link BodyCollector}), then builds its CGI environment,
 * picks a host, connects (retrying on other hosts after a connect failure, as lighttpd does up to
 * 5 times), sends the request, relays the response ({@link ProxiedRequest}, {@link BackendCall}),
 * and maps failures to lighttpd's status codes ({@link BackendFailure}). With {@code keep-alive} on a FastCGI backend, connections that
 * ended a response cleanly are kept per host (the backend package's {@code KeptConnections}).
 *
 * <p>Thread-safe: all per-request state lives in the request's own objects.
 */
public final class GatewayHandler {

    /**
     * How long a backend may take no byte of the request when its {@code write-timeout} is off
     * (lighttpd's default): a backend that never reads a body would otherwise hold the request and
     * its client forever. As long as lighttpd's {@code server.max-read-idle} for clients.
     */
    static final Duration UNREAD_REQUEST_LIMIT = Duration.ofSeconds(60);

    private final ErrorLog errorLog;
    private final String serverSoftware;
    private final long maxRequestBytes;
    private final List<Path> uploadDirs;
    private final ResponseSpool.Place spoolPlace;
    private final ReadBuffers buffers;

    /**
     * @param spoolBudget the server's bound on what slow clients' responses keep on disk, shared
     *                    by its generations' gateways, as {@code buffers} are
     * @param buffers     the server's buffers for backend responses
     */
    public GatewayHandler(ErrorLog errorLog, String serverSoftware, long maxRequestBytes, List<Path> uploadDirs,
            SpoolBudget spoolBudget, ReadBuffers buffers) {
        this.errorLog = errorLog;
        this.serverSoftware = serverSoftware;
        this.maxRequestBytes = maxRequestBytes;
        this.uploadDirs = List.copyOf(uploadDirs);
        this.spoolPlace = new ResponseSpool.Place(this.uploadDirs, spoolBudget);
        this.buffers = buffers;
    }

    /** The log this gateway reports backend failures to. */
    public ErrorLog errorLog() {
        return errorLog;
    }

    /**
     * Proxies {@code exchange} to {@code pool}, as readiness events on its I/O thread; its body, if
     * it has one, must have been collected first ({@link #collectBodyThen}). Call on the I/O thread,
     * inside the root handler call or once the body is collected.
     */
    public void proxy(HttpServerExchange exchange, RouteMatch match, BackendPool pool, String listenerPort) {
        RequestBody collected = BodyCollector.peek(exchange);
        if (collected == null && BodyCollector.hasBody(exchange)) {
            throw new IllegalStateException("the body of " + exchange.getRequestURI() + " was not read first");
        }
        // The body stays attached: BodyCollector closes its spool file when the exchange ends.
        RequestBody body = collected == null ? RequestBody.none() : collected;
        new ProxiedRequest(exchange, match, pool, protocolOf(match.route().protocol()), body,
                (protocol, keepConn) -> protocol.requestHead(
                        out -> CgiEnvironment.write(exchange, match, listenerPort, serverSoftware, body.length(), out),
                        keepConn),
                errorLog, buffers, spoolPlace, hashKey(exchange, pool)).start();
    }

    /**
     * Reads the body of {@code exchange} whole on its I/O thread ({@link BodyCollector}), then runs
     * {@code whenCollected}; a body that fails is answered here. Call on the I/O thread inside
     * the root handler, for a request with a body ({@link BodyCollector#hasBody}).
     */
    public void collectBodyThen(HttpServerExchange exchange, Runnable whenCollected) {
        BodyCollector.start(exchange, maxRequestBytes, uploadDirs, errorLog, buffers, whenCollected);
    }

    private static BackendProtocol protocolOf(Protocol protocol) {
        return switch (protocol) {
            case FASTCGI -> FcgiProtocol.INSTANCE;
            case SCGI -> ScgiProtocol.SCGI;
            case UWSGI -> ScgiProtocol.UWSGI;
        };
    }

    /** The backend's {@code write-timeout}, or {@link #UNREAD_REQUEST_LIMIT} when it has none. */
    static Duration writeTimeout(BackendConfig config) {
        return config.writeTimeout().isZero() ? UNREAD_REQUEST_LIMIT : config.writeTimeout();
    }

    /** Answers the client for a request that failed after reaching its backend, and logs why. */
    static void reportFailure(HttpServerExchange exchange, ResponseRelay relay, BackendFailure failure,
            IOException cause, ErrorLog errorLog, boolean cutWhenDrained) {
        RequestTicket ticket = exchange.getAttachment(RequestTicket.KEY);
        if (failure == BackendFailure.CLIENT_GONE || (ticket != null && ticket.isAborted())) {
            ErrorPages.abort(exchange);
            return;
        }
        // Protocol errors come from the codecs, which do not know which backend they parsed.
        String backend = failure == BackendFailure.MALFORMED_RESPONSE ? relay.backend() + ": " : "";
        errorLog.error("gw-backend", backend + cause.getMessage() + " (" + exchange.getRequestMethod() + " "
                + exchange.getRequestURI() + ")");
        if (exchange.isResponseStarted()) {
            if (!cutWhenDrained) {
                ErrorPages.abort(exchange); // headers are out: the only honest signal left is a cut connection
            }
        } else {
            // Nothing went out (the head may have been parsed, and a held body with it): the client gets the status.
            exchange.getResponseHeaders().clear();
            ErrorPages.send(exchange, failure.status());
        }
    }

    private static String hashKey(HttpServerExchange exchange, BackendPool pool) {
        return switch (pool.route().balance()) {
            case STICKY -> String.valueOf(exchange.getSourceAddress());
            case HASH -> exchange.getRequestHeaders().getFirst(Headers.HOST) + exchange.getRequestPath();
            default -> "";
        };
    }
}
