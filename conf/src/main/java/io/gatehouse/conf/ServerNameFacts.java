package io.gatehouse.conf;

/**
 * What a TLS handshake tells about the request to come: the host name the client asks for.
 *
 * <p>Immutable; thread-safe.
 */
record ServerNameFacts(String host) implements RequestFacts {

    @Override
    public String urlPath() {
        return "";
    }

    @Override
    public String queryString() {
        return "";
    }

    @Override
    public String remoteIp() {
        return "";
    }

    @Override
    public String method() {
        return "";
    }

    @Override
    public String scheme() {
        return "https";
    }

    @Override
    public String header(String name) {
        return "";
    }

    @Override
    public String serverSocket() {
        return "";
    }
}
