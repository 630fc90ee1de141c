package io.gatehouse.core.internal.server;

import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.Scope;
import io.gatehouse.core.internal.gateway.ErrorPages;
import io.gatehouse.core.internal.log.AccessLog;
import io.gatehouse.core.internal.route.RouteMatch;
import io.gatehouse.core.internal.route.Router;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.CanonicalPathUtils;
import io.undertow.util.StatusCodes;

/**
 * The root handler of one listener: on the I/O thread, passes the exchange through the
 * {@link GenerationGate} (which moves it to a gateway thread once admitted into a generation);
 * on the gateway thread, resolves the admitting generation's config scope for the request and
 * hands it to the backend key that takes it or to the static files of the document root.
 *
 * <p>Thread-safe.
 */
public final class RequestDispatcher implements HttpHandler {

    private final GenerationGate gate;
    private final AccessLog accessLog;
    private final String socketToken;
    private final String serverPort;

    public RequestDispatcher(GenerationGate gate, AccessLog accessLog, ListenerConfig listener) {
        this.gate = gate;
        this.accessLog = accessLog;
        this.socketToken = listener.token();
        this.serverPort = listener.inetAddress().map(a -> Integer.toString(a.getPort())).orElse("0");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            if (accessLog != null) {
                accessLog.track(exchange);
            }
            // Backends and the file system block: the gate dispatches to a gateway thread.
            gate.admit(exchange, this);
            return;
        }
        String path = CanonicalPathUtils.canonicalize(exchange.getRequestPath(), true);
        if (path == null || !path.startsWith("/")) {
            ErrorPages.send(exchange, StatusCodes.BAD_REQUEST);
            return;
        }
        Generation generation = exchange.getAttachment(Generation.KEY);
        Scope scope = generation.config().resolve(new ExchangeFacts(exchange, path, socketToken));
        RouteMatch match = Router.match(scope, path);
        if (match != null) {
            generation.gateway().handle(exchange, match, generation.pool(match.route()), serverPort);
            return;
        }
        if (scope.documentRoot().isPresent()) {
            generation.staticFiles(scope.documentRoot().get(), scope.indexFiles()).handleRequest(exchange);
            return;
        }
        ErrorPages.send(exchange, StatusCodes.NOT_FOUND);
    }
}
