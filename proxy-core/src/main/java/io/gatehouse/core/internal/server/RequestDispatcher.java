package io.gatehouse.core.internal.server;

import io.gatehouse.conf.HttpParseOptions;
import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.Scope;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.conf.StaticFileOptions;
import io.gatehouse.core.internal.gateway.BodyCollector;
import io.gatehouse.core.internal.gateway.ErrorPages;
import io.gatehouse.core.internal.gateway.GatewayHandler;
import io.gatehouse.core.internal.http.BadRequestTargetException;
import io.gatehouse.core.internal.http.DecodedHeaders;
import io.gatehouse.core.internal.http.RequestFraming;
import io.gatehouse.core.internal.http.RequestHeadSize;
import io.gatehouse.core.internal.http.RequestTarget;
import io.gatehouse.core.internal.log.AccessLog;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.route.RouteMatch;
import io.gatehouse.core.internal.route.Router;
import io.gatehouse.core.internal.staticfile.StaticFileHandler;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

/**
 * The root handler of one listener. On the I/O thread it passes the exchange through the
 * {@link GenerationGate}, which calls it again, still on the I/O thread, once the exchange is
 * admitted into a generation; then it resolves that generation's config scope for the request and
 * routes it. A request to a backend is proxied right there on the I/O thread
 * ({@link GatewayHandler#proxy}), its body read whole first ({@link GatewayHandler#collectBodyThen});
 * a static file's lookup moves to a worker thread, where the file system may block, and its
 * answer comes back to the I/O thread ({@link StaticFileHandler#serve}).
 *
 * <p>Thread-safe.
 */
public final class RequestDispatcher implements HttpHandler {

    private final GenerationGate gate;
    private final AccessLog accessLog;
    private final ErrorLog errorLog;
    private final Http2RequestBudget http2Budget;
    private final String socketToken;
    private final String serverPort;

    public RequestDispatcher(GenerationGate gate, AccessLog accessLog, ErrorLog errorLog,
            Http2RequestBudget http2Budget, ListenerConfig listener) {
        this.gate = gate;
        this.accessLog = accessLog;
        this.errorLog = errorLog;
        this.http2Budget = http2Budget;
        this.socketToken = listener.token();
        this.serverPort = listener.inetAddress().map(a -> Integer.toString(a.getPort())).orElse("0");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Generation generation = exchange.getAttachment(Generation.KEY);
        if (generation == null) {
            if (accessLog != null) {
                accessLog.track(exchange);
            }
            Http2RequestSlots.admit(exchange, http2Budget, errorLog, ex -> gate.admit(ex, this));
            return;
        }
        RequestTarget target = checkedTarget(exchange, generation);
        if (target == null) {
            return;
        }
        KeepAliveRequests.count(exchange, generation.config().connectionLimits().maxKeepAliveRequests());
        ConnectionCloseToken.apply(exchange);
        String path = target.path();
        Scope scope = generation.config().resolve(new ExchangeFacts(exchange, path, socketToken));
        useErrorFiles(exchange, generation, scope.staticFiles());
        RouteMatch match = Router.match(scope, path, generation.resolvedPaths());
        if (match != null) {
            Runnable proxy = () -> generation.gateway().proxy(exchange, match, generation.pool(match.route()),
                    serverPort);
            if (BodyCollector.hasBody(exchange)) {
                // The body is read here, as it arrives: a slow client never holds a thread.
                generation.gateway().collectBodyThen(exchange, proxy);
                return;
            }
            proxy.run();
            return;
        }
        if (BodyCollector.hasBody(exchange)) {
            // Nothing reads a body sent to a static file: close after the answer rather than drain it.
            exchange.setPersistent(false);
        }
        if (scope.documentRoot().isEmpty()) {
            ErrorPages.send(exchange, StatusCodes.NOT_FOUND);
            return;
        }
        generation.staticFiles().serve(exchange, scope, scope.documentRoot().get(), target);
    }

    /** Makes the error pages of {@code exchange} those of {@code options}' {@code server.errorfile-prefix}. */
    private static void useErrorFiles(HttpServerExchange exchange, Generation generation, StaticFileOptions options) {
        options.errorfilePrefix().ifPresent(prefix -> ErrorPages.useErrorFiles(exchange, generation.errorDocuments(),
                prefix, file -> generation.mimeTypes().of(options).typeOf(file)));
    }

    /**
     * The request's target, read and attached ({@link RequestTarget#of}); null when the head or
     * the target is refused, in which case the answer is under way and the connection closes
     * after it: a request refused before its body was read leaves the connection's framing in doubt.
     * Null too for {@code OPTIONS *}, answered here.
     * The refusal's page is the global scope's error file, as lighttpd's: no condition is
     * evaluated on a head it refused.
     */
    private static RequestTarget checkedTarget(HttpServerExchange exchange, Generation generation) {
        ServerConfig config = generation.config();
        HttpParseOptions options = config.httpParseOptions();
        int refused = RequestHeadSize.of(exchange) > config.maxRequestFieldSize()
                ? StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE : RequestFraming.check(exchange, options);
        if (refused == 0 && !DecodedHeaders.sound(exchange)) {
            refused = StatusCodes.BAD_REQUEST;
        }
        RequestTarget target = null;
        if (refused == 0 && isServerWideOptions(exchange)) {
            if (BodyCollector.hasBody(exchange)) {
                exchange.setPersistent(false); // nothing reads it: close after the answer rather than drain it
            }
            StaticFileHandler.answerOptions(exchange);
            return null;
        }
        if (refused == 0) {
            try {
                target = RequestTarget.parse(RequestTarget.rawTarget(exchange), options);
                if (target.authority() != null && !hostAgrees(exchange, target.authority())) {
                    refused = StatusCodes.BAD_REQUEST;
                }
            } catch (BadRequestTargetException e) {
                refused = StatusCodes.BAD_REQUEST;
            }
        }
        if (refused != 0) {
            exchange.setPersistent(false);
            useErrorFiles(exchange, generation, config.global().staticFiles());
            ErrorPages.send(exchange, refused);
            return null;
        }
        exchange.putAttachment(RequestTarget.KEY, target);
        return target;
    }

    /** {@code OPTIONS *}: a question about the server, not a resource; lighttpd answers it with its methods. */
    private static boolean isServerWideOptions(HttpServerExchange exchange) {
        return exchange.getRequestMethod().equals(Methods.OPTIONS) && "*".equals(exchange.getRequestURI())
                && exchange.getQueryString().isEmpty();
    }

    /**
     * An absolute-form target names its host itself (RFC 9112, 3.2.2): a Host header that names
     * another one is refused, as lighttpd refuses it, so that the conditions, the logs and the
     * application all see the host the client asked for; without a Host header (HTTP/1.0) the
     * target's becomes the request's.
     */
    private static boolean hostAgrees(HttpServerExchange exchange, String authority) {
        HeaderValues hosts = exchange.getRequestHeaders().get(Headers.HOST);
        if (hosts == null || hosts.isEmpty()) {
            exchange.getRequestHeaders().put(Headers.HOST, authority);
            return true;
        }
        return hosts.size() == 1 && hosts.getFirst().equalsIgnoreCase(authority);
    }
}
