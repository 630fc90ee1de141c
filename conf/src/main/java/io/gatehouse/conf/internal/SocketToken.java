package io.gatehouse.conf.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import com.google.common.net.InetAddresses;

/**
 * A listen address as lighttpd writes it: {@code "ip:port"}, {@code ":port"}, {@code "*:port"},
 * {@code "[v6]:port"}, a bare host (port from {@code server.port}) or a unix socket path starting
 * with {@code /}. Host names are kept unresolved: resolving is the server's job, not the parser's.
 *
 * <p>Immutable; thread-safe.
 */
public record SocketToken(String host, int port, Path unixPath) {

    /** The IPv4 wildcard lighttpd binds for {@code ":port"} and {@code "*:port"}. */
    public static final String WILDCARD = "0.0.0.0";

    /**
     * Parses a token.
     *
     * @param defaultPort the port for a token without one
     * @throws IllegalArgumentException naming the token when it cannot be an address
     */
    public static SocketToken parse(String token, int defaultPort) {
        if (token.startsWith("/")) {
            return new SocketToken(null, 0, Path.of(token));
        }
        String host;
        String portText;
        if (token.startsWith("[")) {
            int close = token.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("\"" + token + "\" has '[' without ']'");
            }
            host = token.substring(1, close);
            String rest = token.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new IllegalArgumentException("\"" + token + "\" must continue with ':port' after ']'");
            }
            portText = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = token.indexOf(':');
            if (colon >= 0 && token.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("\"" + token + "\" looks like an IPv6 address:"
                        + " write it in brackets, e.g. \"[::1]:8080\"");
            }
            host = colon < 0 ? token : token.substring(0, colon);
            portText = colon < 0 ? null : token.substring(colon + 1);
        }
        if (host.isEmpty() || host.equals("*")) {
            host = WILDCARD;
        }
        int port = portText == null ? defaultPort : parsePort(portText, token);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port of \"" + token + "\" must be 1..65535, got " + port);
        }
        return new SocketToken(host, port, null);
    }

    private static int parsePort(String text, String token) {
        if (!text.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("\"" + token + "\" has port \"" + text + "\", expected 1..65535");
        }
        return Integer.parseInt(text);
    }

    /** Whether this is a unix-domain socket. */
    public boolean isUnix() {
        return unixPath != null;
    }

    /**
     * A canonical text for comparing tokens: the path for unix sockets, else the host (IP literals
     * canonicalised, IPv6 in brackets, names lower-cased) and the port.
     */
    public String normalized() {
        if (isUnix()) {
            return unixPath.toString();
        }
        Optional<InetAddress> literal = IpRange.literal(host);
        String canonicalHost = literal.map(InetAddresses::toUriString).orElse(host.toLowerCase(Locale.ROOT));
        return canonicalHost + ":" + port;
    }

    /** The TCP address: resolved for IP literals, unresolved for host names. */
    public InetSocketAddress inetSocketAddress() {
        Optional<InetAddress> literal = IpRange.literal(host);
        return literal.map(a -> new InetSocketAddress(a, port))
                .orElseGet(() -> InetSocketAddress.createUnresolved(host, port));
    }

    /** {@link #normalized()} of {@code token}, or the token itself when it does not parse. */
    public static String normalize(String token, int defaultPort) {
        try {
            return parse(token, defaultPort).normalized();
        } catch (IllegalArgumentException e) {
            return token;
        }
    }
}
