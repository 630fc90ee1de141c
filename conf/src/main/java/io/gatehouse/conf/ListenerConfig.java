package io.gatehouse.conf;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import io.gatehouse.conf.internal.SocketToken;

/**
 * One address the server listens on: the global {@code server.bind}/{@code server.port} or a
 * {@code $SERVER["socket"] == "…"} block. TCP host names are kept unresolved (resolving is the
 * server's job); IP literals are resolved without DNS.
 *
 * <p>Equality is by address: {@code ":8080"} and {@code "0.0.0.0:8080"} are the same listener.
 * Immutable; thread-safe.
 */
public final class ListenerConfig {

    private final String token;
    private final SocketToken address;
    private final SourceLocation location;
    private final TlsSettings tls;

    private ListenerConfig(String token, SocketToken address, SourceLocation location, TlsSettings tls) {
        this.token = token;
        this.address = address;
        this.location = location;
        this.tls = tls;
    }

    /** A TCP listener; {@code host} may be an IP literal, a name, {@code ""} or {@code "*"} (all IPv4). */
    public static ListenerConfig tcp(String host, int port) {
        String bracketed = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return parse(bracketed + ":" + port, port, SourceLocation.API);
    }

    /** A unix-domain listener. */
    public static ListenerConfig unix(Path path) {
        return parse(path.toString(), 0, SourceLocation.API);
    }

    /**
     * Parses a lighttpd socket token ({@code "127.0.0.1:8080"}, {@code ":8080"}, {@code "[::1]:8080"},
     * {@code "127.0.0.1"}, {@code "/run/gh.sock"}).
     *
     * @param defaultPort the port for a token without one ({@code server.port})
     * @throws IllegalArgumentException naming the token when it is not a usable address
     */
    public static ListenerConfig parse(String token, int defaultPort, SourceLocation location) {
        SocketToken address = SocketToken.parse(token, defaultPort);
        if (address.isUnix()) {
            int bytes = token.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > BackendConfig.MAX_UNIX_PATH_BYTES) {
                throw new IllegalArgumentException("unix socket path \"" + token + "\" is " + bytes
                        + " bytes, more than the limit of " + BackendConfig.MAX_UNIX_PATH_BYTES);
            }
        }
        return new ListenerConfig(token, address, Objects.requireNonNull(location, "location"), null);
    }

    /** The address as written: {@code "127.0.0.1:8080"}, {@code ":8080"}, {@code "[::1]:8080"}, {@code "/path.sock"}. */
    public String token() {
        return token;
    }

    /** The TCP address ({@code ":8080"} is 0.0.0.0:8080), empty for unix listeners. */
    public Optional<InetSocketAddress> inetAddress() {
        return address.isUnix() ? Optional.empty() : Optional.of(address.inetSocketAddress());
    }

    /** The socket path, empty for TCP listeners. */
    public Optional<Path> unixPath() {
        return Optional.ofNullable(address.unixPath());
    }

    /** The TCP port, 0 for unix listeners. */
    public int port() {
        return address.port();
    }

    /** The canonical form used to compare addresses ({@code "0.0.0.0:8080"}, {@code "[::1]:80"}, a path). */
    public String normalizedToken() {
        return address.normalized();
    }

    /**
     * The same address serving HTTPS with {@code settings} ({@code ssl.engine = "enable"}), or plain
     * HTTP with null. The address alone makes a listener's identity: a restart that turns TLS on
     * or off, or changes its certificate, keeps the socket bound.
     *
     * @throws IllegalArgumentException for a unix-domain listener, which gatehouse serves over plain HTTP only
     */
    public ListenerConfig withTls(TlsSettings settings) {
        if (settings != null && address.isUnix()) {
            throw new IllegalArgumentException("TLS on the unix-domain listener " + token + " is not supported");
        }
        return new ListenerConfig(token, address, location, settings);
    }

    /** The TLS settings when this listener serves HTTPS; empty for plain HTTP. */
    public Optional<TlsSettings> tls() {
        return Optional.ofNullable(tls);
    }

    /** Where the listener was configured ({@link SourceLocation#API} for builder-made ones). */
    public SourceLocation location() {
        return location;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ListenerConfig that && normalizedToken().equals(that.normalizedToken());
    }

    @Override
    public int hashCode() {
        return normalizedToken().hashCode();
    }

    @Override
    public String toString() {
        return "ListenerConfig[" + token + (tls != null ? " (TLS)" : "") + " at " + location + "]";
    }
}
