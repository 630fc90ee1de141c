package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
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
import io.undertow.util.StatusCodes;

/**
 * Proxies one request to a backend of its route: builds the CGI environment, picks a host,
 * connects (retrying on other hosts after a connect failure, as lighttpd does up to 5 times),
 * sends the request, relays the response, and maps failures to lighttpd's status codes
 * (503 unreachable, 500 closed without a response, 502 malformed, 504 timed out).
 *
 * <p>Runs on a gateway thread, reading and writing the exchange's channels in blocking style.
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

    private final Watchdog watchdog;
    private final ErrorLog errorLog;
    private final ExecutorService bodyWriters;
    private final String serverSoftware;
    private final long maxRequestBytes;

    public GatewayHandler(Watchdog watchdog, ErrorLog errorLog, ExecutorService bodyWriters, String serverSoftware,
            long maxRequestBytes) {
        this.watchdog = watchdog;
        this.errorLog = errorLog;
        this.bodyWriters = bodyWriters;
        this.serverSoftware = serverSoftware;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Proxies {@code exchange} to {@code pool}; called on a gateway thread inside Undertow's dispatch. */
    public void handle(HttpServerExchange exchange, RouteMatch match, BackendPool pool, String listenerPort) {
        try (RequestBody body = RequestBody.of(exchange, maxRequestBytes)) {
            Map<String, String> env = CgiEnvironment.build(exchange, match, listenerPort, serverSoftware,
                    body.length());
            BackendProtocol protocol = protocolOf(match.route().protocol());
            ByteBuffer head = requestHead(protocol, env);
            proxy(exchange, match, pool, protocol, head, body);
        } catch (BadRequestException e) {
            errorLog.warn("gateway", e.getMessage() + " for " + exchange.getRequestURI());
            ErrorPages.send(exchange, e.status());
        } catch (IOException e) {
            // Reading or spooling the client's body failed: the client is gone or broke the framing.
            if (!exchange.isResponseStarted()) {
                ErrorPages.send(exchange, StatusCodes.BAD_REQUEST);
            } else {
                ErrorPages.abort(exchange);
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

    private static ByteBuffer requestHead(BackendProtocol protocol, Map<String, String> env)
            throws BadRequestException {
        try {
            return protocol.requestHead(env);
        } catch (ScgiException e) {
            // uwsgi's packet size is 16 bits: lighttpd answers 431 when the headers do not fit.
            throw new BadRequestException(protocol == ScgiProtocol.UWSGI ? 431 : 400, e.getMessage());
        } catch (IOException e) {
            throw new BadRequestException(400, e.getMessage());
        }
    }

    private void proxy(HttpServerExchange exchange, RouteMatch match, BackendPool pool, BackendProtocol protocol,
            ByteBuffer head, RequestBody body) {
        String hashKey = hashKey(exchange, pool);
        for (int attempt = 1; attempt <= MAX_TRIES; attempt++) {
            BackendHost host = pool.pickOrAwaitRespawn(hashKey, match.firstBackend().connectTimeout());
            if (host == null) {
                break;
            }
            BackendConfig config = host.config();
            host.enter();
            try {
                BackendConnection connection;
                try {
                    connection = BackendConnection.connect(host, config.connectTimeout(), watchdog);
                } catch (IOException e) {
                    host.disable(config.disableTime());
                    errorLog.warn("gw-backend", "connect to " + host.describe() + " failed: " + e.getMessage()
                            + "; disabled for " + config.disableTime().toSeconds() + " s");
                    continue;
                }
                RequestTicket ticket = exchange.getAttachment(RequestTicket.KEY);
                if (ticket != null) {
                    ticket.attach(connection);
                }
                head.rewind();
                ResponseRelay relay = new ResponseRelay(exchange, errorLog, host.describe());
                try {
                    exchangeWith(connection, protocol, head, body, relay, config);
                    Completion.endOnIoThread(exchange);
                    return;
                } catch (IOException e) {
                    if (connection.bytesWritten() == 0 && !relay.sawOutput() && !(e instanceof ClientGoneException)
                            && !(e instanceof BackendTimeoutException) && (ticket == null || !ticket.isAborted())) {
                        // Nothing reached the backend: safe to try another host.
                        errorLog.warn("gw-backend", host.describe() + " closed before the request was sent: "
                                + e.getMessage());
                        continue;
                    }
                    fail(exchange, relay, e);
                    return;
                } finally {
                    if (ticket != null) {
                        ticket.detach();
                    }
                    connection.close();
                }
            } finally {
                host.leave();
            }
        }
        errorLog.error("gw-backend", "all handlers for " + exchange.getRequestURI()
                + (exchange.getQueryString().isEmpty() ? "" : "?" + exchange.getQueryString())
                + " on \"" + match.route().key() + "\" are down");
        ErrorPages.send(exchange, StatusCodes.SERVICE_UNAVAILABLE);
    }

    private void exchangeWith(BackendConnection connection, BackendProtocol protocol, ByteBuffer head,
            RequestBody body, ResponseRelay relay, BackendConfig config) throws IOException {
        Duration writeTimeout = config.writeTimeout();
        Duration readTimeout = config.readTimeout();
        if (body.length() <= INLINE_BODY_LIMIT) {
            protocol.sendRequest(head, body, connection, writeTimeout);
            protocol.readResponse(connection, relay, readTimeout);
            relay.finish();
            return;
        }
        Future<?> writer = bodyWriters.submit(() -> {
            protocol.sendRequest(head, body, connection, writeTimeout);
            return null;
        });
        try {
            protocol.readResponse(connection, relay, readTimeout);
        } catch (IOException e) {
            IOException writeFailure = failureOf(writer);
            // A body the client stopped sending explains the backend's failure better than the EOF.
            throw writeFailure != null && !relay.sawOutput() ? writeFailure : e;
        }
        relay.finish();
        if (!writer.isDone()) {
            // The backend answered without reading the whole body: stop sending it.
            connection.close();
        }
        failureOf(writer);
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

    private void fail(HttpServerExchange exchange, ResponseRelay relay, IOException e) {
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
