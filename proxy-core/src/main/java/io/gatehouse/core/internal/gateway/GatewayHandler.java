package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.core.internal.cgi.BadGatewayException;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.route.RouteMatch;
import io.gatehouse.fcgi.FcgiException;
import io.gatehouse.scgi.ScgiException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;

/**
 * Proxies one request to a backend of its route: builds the CGI environment, picks a host,
 * connects (retrying on other hosts after a connect failure, as lighttpd does up to 5 times),
 * sends the request, relays the response, and maps failures to lighttpd's status codes
 * (503 unreachable, 500 closed without a response, 502 malformed, 504 timed out). With
 * {@code keep-alive} on a FastCGI backend, connections that ended a response cleanly are kept per
 * host and taken before connecting anew; one the backend closed while idle is retried once on a
 * new connection when the request has no body.
 *
 * <p>{@link #handle} runs on a gateway thread, reading and writing the exchange's channels in
 * blocking style. A request is proxied on its I/O thread instead when
 * {@link #tryOnIoThread} can take it ({@link IoThreadExchange}): no thread hand-off, which on a
 * busy server costs more than the proxying itself; with a small body too, once it is read.
 * Thread-safe: all per-request state is local.
 */
public final class GatewayHandler {

    /** lighttpd's {@code gw_reconnect} limit: tries before answering 503. */
    static final int MAX_TRIES = 5;

    /**
     * Bodies up to this size are written before the response is read: the kernel's unix and TCP
     * socket buffers hold them, so a backend that answers before reading cannot deadlock us.
     * Larger bodies are written by a second thread while this one reads.
     */
    static final long INLINE_BODY_LIMIT = 64 * 1024;

    /**
     * How long a backend may take no byte of the request when its {@code write-timeout} is off
     * (lighttpd's default): a backend that never reads a body would otherwise hold the request, its
     * client and a thread forever. As long as lighttpd's {@code server.max-read-idle} for clients.
     */
    static final Duration UNREAD_REQUEST_LIMIT = Duration.ofSeconds(60);

    private final Watchdog watchdog;
    private final ErrorLog errorLog;
    private final ExecutorService bodyWriters;
    private final String serverSoftware;
    private final long maxRequestBytes;
    private final List<Path> uploadDirs;

    public GatewayHandler(Watchdog watchdog, ErrorLog errorLog, ExecutorService bodyWriters, String serverSoftware,
            long maxRequestBytes, List<Path> uploadDirs) {
        this.watchdog = watchdog;
        this.errorLog = errorLog;
        this.bodyWriters = bodyWriters;
        this.serverSoftware = serverSoftware;
        this.maxRequestBytes = maxRequestBytes;
        this.uploadDirs = List.copyOf(uploadDirs);
    }

    /**
     * Starts proxying {@code exchange} on its I/O thread ({@link IoThreadExchange}) when it can
     * be done there: a request without a body or with one {@link BodyCollector} read whole, of at
     * most {@link #INLINE_BODY_LIMIT} bytes (sent in one go, as {@link #handle} sends it, before the
     * response is read); a host of {@code pool} in rotation now; and no kept connections to share
     * with gateway threads. Otherwise returns false and the caller dispatches the exchange to
     * {@link #handle} on a gateway thread.
     *
     * <p>Call on the I/O thread, inside the root handler call or once the body is collected.
     *
     * @param fallback dispatches the exchange to {@link #handle}; run when the chosen host
     *                 refuses the connection, so the blocking path tries the others
     */
    public boolean tryOnIoThread(HttpServerExchange exchange, RouteMatch match, BackendPool pool, String listenerPort,
            Runnable fallback) {
        RequestBody collected = BodyCollector.peek(exchange);
        if (BodyCollector.hasBody(exchange) && collected == null || !IoThreadExchange.supports(exchange.getIoThread())) {
            return false;
        }
        RequestBody body = collected == null ? RequestBody.none() : collected;
        BackendProtocol protocol = protocolOf(match.route().protocol());
        BackendHost host = pool.pick(hashKey(exchange, pool));
        if (host == null || keepsConnections(protocol, host.config())) {
            return false;
        }
        OutgoingRequest request;
        try {
            ByteBuffer head = protocol.requestHead(
                    out -> CgiEnvironment.write(exchange, match, listenerPort, serverSoftware, body.length(), out),
                    host.kept() != null);
            request = OutgoingRequest.of(protocol, head, body);
        } catch (IOException e) {
            return false; // a bad request or an unreadable spool: the gateway thread answers it
        }
        // The body stays attached: the fallback (another host, a respawn) reads it from the start,
        // and BodyCollector closes its spool file when the exchange ends.
        IoThreadExchange call = new IoThreadExchange(exchange, host, protocol, request, body.length() > 0, errorLog,
                fallback);
        // Undertow ends an exchange whose handler returns undispatched; this one ends when the response does.
        exchange.dispatch(SameThreadExecutor.INSTANCE, call::start);
        return true;
    }

    /**
     * Reads the body of {@code exchange} whole on its I/O thread ({@link BodyCollector}), then runs
     * {@code toGatewayThread}; a body that fails is answered here. Call on the I/O thread inside
     * the root handler, for a request with a body ({@link BodyCollector#hasBody}).
     */
    public void collectBodyThen(HttpServerExchange exchange, Runnable toGatewayThread) {
        BodyCollector.start(exchange, maxRequestBytes, uploadDirs, errorLog, toGatewayThread);
    }

    /** Proxies {@code exchange} to {@code pool}; called on a gateway thread inside Undertow's dispatch. */
    public void handle(HttpServerExchange exchange, RouteMatch match, BackendPool pool, String listenerPort) {
        try (RequestBody body = RequestBody.of(exchange)) {
            Map<String, String> env = CgiEnvironment.build(exchange, match, listenerPort, serverSoftware,
                    body.length());
            BackendProtocol protocol = protocolOf(match.route().protocol());
            boolean keep = keepsConnections(protocol, match.firstBackend());
            ByteBuffer head = requestHead(protocol, env, keep);
            proxy(exchange, match, pool, protocol, env, head, keep, body);
        } catch (BadRequestException e) {
            errorLog.warn("gateway", e.getMessage() + " for " + exchange.getRequestURI());
            ErrorPages.send(exchange, e.status());
        } catch (IOException e) {
            // Only the spool file's close throws here: the body was read whole before.
            errorLog.error("gateway", "closing the spooled body of " + exchange.getRequestURI() + " failed: "
                    + e.getMessage());
            if (!exchange.isResponseStarted()) {
                ErrorPages.send(exchange, StatusCodes.INTERNAL_SERVER_ERROR);
            }
        }
    }

    private static BackendProtocol protocolOf(Protocol protocol) {
        return switch (protocol) {
            case FASTCGI -> FcgiProtocol.INSTANCE;
            case SCGI -> ScgiProtocol.SCGI;
            case UWSGI -> ScgiProtocol.UWSGI;
        };
    }

    private static ByteBuffer requestHead(BackendProtocol protocol, Map<String, String> env, boolean keepConn)
            throws BadRequestException {
        try {
            return protocol.requestHead(env, keepConn);
        } catch (ScgiException e) {
            // uwsgi's packet size is 16 bits: lighttpd answers 431 when the headers do not fit.
            throw new BadRequestException(protocol == ScgiProtocol.UWSGI ? 431 : 400, e.getMessage());
        } catch (IOException e) {
            throw new BadRequestException(400, e.getMessage());
        }
    }

    /** How one try on one connection ended. */
    private enum Attempt {
        /** The response went to the client. */
        ANSWERED,
        /** The request failed and the client got an error (or a cut connection). */
        FAILED,
        /** Nothing reached the backend: another host may take the request. */
        TRY_NEXT_HOST,
        /** A kept connection was closed by the backend before it answered: send again on a new one. */
        RETRY_ON_NEW_CONNECTION
    }

    private void proxy(HttpServerExchange exchange, RouteMatch match, BackendPool pool, BackendProtocol protocol,
            Map<String, String> env, ByteBuffer firstHead, boolean firstHeadKeeps, RequestBody body)
            throws BadRequestException {
        String hashKey = hashKey(exchange, pool);
        ByteBuffer head = firstHead;
        boolean headKeeps = firstHeadKeeps;
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            BackendHost host = pool.pickOrAwaitRespawn(hashKey, match.firstBackend().connectTimeout());
            if (host == null) {
                break;
            }
            boolean keep = keepsConnections(protocol, host.config());
            if (keep != headKeeps) {
                // Backends of one route may differ in keep-alive: the flag lives in BEGIN_REQUEST.
                head = requestHead(protocol, env, keep);
                headKeeps = keep;
            }
            host.enter();
            KeptConnections ioThreadsKept = host.kept();
            if (ioThreadsKept != null) {
                // This request's own connection needs a worker: kept ones give theirs up meanwhile.
                host.newConnectionStarted();
                ioThreadsKept.closeIdle();
            }
            try {
                BackendConnection connection = keep ? takeIdle(host, body) : null;
                if (connection == null) {
                    connection = connect(host);
                }
                Attempt outcome = connection == null ? Attempt.TRY_NEXT_HOST
                        : attempt(exchange, host, connection, protocol, head, body, keep);
                if (outcome == Attempt.RETRY_ON_NEW_CONNECTION) {
                    connection = connect(host);
                    outcome = connection == null ? Attempt.TRY_NEXT_HOST
                            : attempt(exchange, host, connection, protocol, head, body, keep);
                }
                if (outcome == Attempt.ANSWERED) {
                    Completion.endOnIoThread(exchange);
                    return;
                }
                if (outcome == Attempt.FAILED) {
                    return;
                }
            } finally {
                host.leave();
                if (ioThreadsKept != null) {
                    host.newConnectionEnded();
                }
            }
        }
        errorLog.error("gw-backend", "all handlers for " + exchange.getRequestURI()
                + (exchange.getQueryString().isEmpty() ? "" : "?" + exchange.getQueryString())
                + " on \"" + match.route().key() + "\" are down");
        ErrorPages.send(exchange, StatusCodes.SERVICE_UNAVAILABLE);
    }

    /**
     * True when gateway threads keep this backend's connections. With {@code max-connections} they
     * do not: the I/O-thread gateway keeps them ({@link KeptConnections}), and a gateway-thread
     * request (one with a body) opens a connection of its own, for which the kept ones give their
     * workers up.
     */
    private static boolean keepsConnections(BackendProtocol protocol, BackendConfig config) {
        return config.keepAlive() && protocol.canKeepConnection() && config.maxConnections() == 0;
    }

    /**
     * A kept connection of {@code host} for a request without a body, or null. A request with a
     * body is never sent twice (the backend may have run it), and an idle connection may be
     * closing as it is taken (php-fpm's {@code pm.max_requests} ends the worker right after its
     * last answer; no check before sending can close that race), so it goes on a new connection:
     * an idle one is closed instead, which frees its worker for it, as on the I/O thread.
     */
    private static BackendConnection takeIdle(BackendHost host, RequestBody body) {
        BackendConnection idle = host.idle().take();
        if (idle != null && body.length() > 0) {
            idle.close();
            return null;
        }
        return idle;
    }

    /** A new connection to {@code host}, or null (the host is then disabled for its disable-time). */
    private BackendConnection connect(BackendHost host) {
        try {
            return BackendConnection.connect(host, host.config().connectTimeout(), watchdog);
        } catch (IOException e) {
            connectFailed(host, e, errorLog);
            return null;
        }
    }

    /** Takes {@code host} out of rotation for its disable-time after a failed connect, and says so. */
    static void connectFailed(BackendHost host, IOException e, ErrorLog errorLog) {
        BackendConfig config = host.config();
        host.disable(config.disableTime());
        errorLog.warn("gw-backend", "connect to " + host.describe() + " failed: " + e.getMessage()
                + "; disabled for " + config.disableTime().toSeconds() + " s");
    }

    /**
     * Sends the request on {@code connection} and relays the answer. The connection is parked for
     * the next request when {@code keep} is set and the response ended cleanly; otherwise closed.
     */
    private Attempt attempt(HttpServerExchange exchange, BackendHost host, BackendConnection connection,
            BackendProtocol protocol, ByteBuffer head, RequestBody body, boolean keep) {
        connection.startRequest();
        boolean newConnection = keep && !connection.isReused();
        if (newConnection) {
            host.newConnectionStarted();
        }
        RequestTicket ticket = exchange.getAttachment(RequestTicket.KEY);
        if (ticket != null) {
            ticket.attach(connection);
        }
        head.rewind();
        ResponseRelay relay = new ResponseRelay(exchange, errorLog, host.describe());
        boolean keepConnection = false;
        try {
            boolean clean = exchangeWith(connection, protocol, head, body, relay, host.config());
            keepConnection = keep && clean && (ticket == null || !ticket.isAborted());
            return Attempt.ANSWERED;
        } catch (IOException e) {
            boolean unanswered = !relay.sawOutput() && !(e instanceof ClientGoneException)
                    && !(e instanceof BackendTimeoutException) && (ticket == null || !ticket.isAborted());
            if (unanswered && connection.isReused() && (body.length() == 0 || connection.bytesWritten() == 0)) {
                // The backend closed the kept connection while it was idle (php-fpm's pm.max_requests,
                // a recycled process); no byte of the client's body was consumed, so it is safe to send again.
                return Attempt.RETRY_ON_NEW_CONNECTION;
            }
            if (unanswered && connection.bytesWritten() == 0) {
                errorLog.warn("gw-backend", host.describe() + " closed before the request was sent: "
                        + e.getMessage());
                return Attempt.TRY_NEXT_HOST;
            }
            reportFailure(exchange, relay, e, errorLog);
            return Attempt.FAILED;
        } finally {
            if (ticket != null) {
                ticket.detach();
            }
            if (newConnection) {
                host.newConnectionEnded();
            }
            if (keepConnection && !host.newConnectionsWaiting()) {
                host.idle().offer(connection);
            } else {
                connection.close();
            }
        }
    }

    /** Returns true when the response ended cleanly and the whole body was sent: the connection may be kept. */
    private boolean exchangeWith(BackendConnection connection, BackendProtocol protocol, ByteBuffer head,
            RequestBody body, ResponseRelay relay, BackendConfig config) throws IOException {
        Duration writeTimeout = writeTimeout(config);
        Duration readTimeout = config.readTimeout();
        if (body.length() <= INLINE_BODY_LIMIT) {
            protocol.sendRequest(head, body, connection, writeTimeout);
            boolean clean = protocol.readResponse(connection, relay, readTimeout);
            relay.finish();
            return clean;
        }
        Future<?> writer = bodyWriters.submit(() -> {
            protocol.sendRequest(head, body, connection, writeTimeout);
            return null;
        });
        boolean clean;
        try {
            clean = protocol.readResponse(connection, relay, readTimeout);
        } catch (IOException e) {
            IOException writeFailure = failureOf(writer);
            // A body the client stopped sending explains the backend's failure better than the EOF.
            throw writeFailure != null && !relay.sawOutput() ? writeFailure : e;
        }
        relay.finish();
        if (!writer.isDone()) {
            // The backend answered without reading the whole body: stop sending it.
            connection.close();
            failureOf(writer);
            return false;
        }
        return clean && failureOf(writer) == null;
    }

    /** The backend's {@code write-timeout}, or {@link #UNREAD_REQUEST_LIMIT} when it has none. */
    static Duration writeTimeout(BackendConfig config) {
        return config.writeTimeout().isZero() ? UNREAD_REQUEST_LIMIT : config.writeTimeout();
    }

    private static IOException failureOf(Future<?> writer) {
        try {
            writer.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IOException("interrupted while sending the request body");
        }
    }

    /** Answers the client for a request that failed after reaching its backend, and logs why. */
    static void reportFailure(HttpServerExchange exchange, ResponseRelay relay, IOException e, ErrorLog errorLog) {
        RequestTicket ticket = exchange.getAttachment(RequestTicket.KEY);
        if (e instanceof ClientGoneException || (ticket != null && ticket.isAborted())) {
            ErrorPages.abort(exchange);
            return;
        }
        int status;
        if (e instanceof BackendTimeoutException timeout) {
            status = timeout.phase() == BackendTimeoutException.Phase.CONNECT
                    ? StatusCodes.SERVICE_UNAVAILABLE : StatusCodes.GATEWAY_TIME_OUT;
        } else if (e instanceof BadGatewayException || e instanceof FcgiException) {
            status = StatusCodes.BAD_GATEWAY;
        } else if (relay.sawOutput()) {
            status = StatusCodes.BAD_GATEWAY;
        } else {
            status = StatusCodes.INTERNAL_SERVER_ERROR;
        }
        // Protocol errors come from the codecs, which do not know which backend they parsed.
        String backend = status == StatusCodes.BAD_GATEWAY ? relay.backend() + ": " : "";
        errorLog.error("gw-backend", backend + e.getMessage() + " (" + exchange.getRequestMethod() + " "
                + exchange.getRequestURI() + ")");
        if (relay.headCommitted() || exchange.isResponseStarted()) {
            ErrorPages.abort(exchange); // headers are out: the only honest signal left is a cut connection
        } else {
            exchange.getResponseHeaders().clear();
            ErrorPages.send(exchange, status);
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
