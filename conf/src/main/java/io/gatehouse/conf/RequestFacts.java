package io.gatehouse.conf;

/**
 * The parts of one request that config conditions look at. Implemented by the server for each
 * request and passed to {@link ServerConfig#resolve(RequestFacts)}.
 *
 * <p>Implementations are used by one thread at a time; they need not be thread-safe.
 */
public interface RequestFacts {

    /** The Host header as sent (with the port if any), {@code ""} if none. */
    String host();

    /** The decoded, normalised URL path. */
    String urlPath();

    /** The raw query string, {@code ""} if none. */
    String queryString();

    /** The client address as text ({@code "10.1.2.3"}, {@code "::1"}). */
    String remoteIp();

    /** The request method ({@code "GET"}). */
    String method();

    /** {@code "http"} or {@code "https"}. */
    String scheme();

    /** Any request header by name (case-insensitive), {@code ""} if absent. */
    String header(String name);

    /** The token of the listener that accepted the request, as {@link ListenerConfig#token()}. */
    String serverSocket();

    /**
     * The facts of a TLS handshake that asks for {@code serverName} (SNI): the name as the host,
     * {@code https} as the scheme, nothing else, as lighttpd tests host conditions to choose a
     * certificate before any request is read.
     */
    static RequestFacts serverName(String serverName) {
        return new ServerNameFacts(serverName);
    }
}
