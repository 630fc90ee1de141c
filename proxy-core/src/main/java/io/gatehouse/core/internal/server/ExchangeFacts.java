package io.gatehouse.core.internal.server;

import java.net.InetSocketAddress;

import io.gatehouse.conf.RequestFacts;
import io.gatehouse.core.internal.http.RequestTarget;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** What config conditions ({@code $HTTP["host"]}, …) test, read from an exchange on demand. */
final class ExchangeFacts implements RequestFacts {

    private final HttpServerExchange exchange;
    private final String urlPath;
    private final String serverSocket;

    ExchangeFacts(HttpServerExchange exchange, String urlPath, String serverSocket) {
        this.exchange = exchange;
        this.urlPath = urlPath;
        this.serverSocket = serverSocket;
    }

    @Override
    public String host() {
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        return host == null ? "" : host;
    }

    @Override
    public String urlPath() {
        return urlPath;
    }

    @Override
    public String queryString() {
        return RequestTarget.of(exchange).query();
    }

    @Override
    public String remoteIp() {
        InetSocketAddress source = exchange.getSourceAddress();
        return source == null || source.getAddress() == null ? "" : source.getAddress().getHostAddress();
    }

    @Override
    public String method() {
        return exchange.getRequestMethod().toString();
    }

    @Override
    public String scheme() {
        return exchange.getRequestScheme();
    }

    @Override
    public String header(String name) {
        String value = exchange.getRequestHeaders().getFirst(name);
        return value == null ? "" : value;
    }

    @Override
    public String serverSocket() {
        return serverSocket;
    }
}
