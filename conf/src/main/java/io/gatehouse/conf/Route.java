package io.gatehouse.conf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One key of {@code fastcgi.server} / {@code scgi.server} and the hosts that serve it. The key is a
 * URL-path prefix ({@code "/app"}), a file-name suffix ({@code ".php"}) or empty (everything), as
 * lighttpd; matching requests against keys is the server's job.
 *
 * <p>Equality is by value (key, protocol, balance, backends), not location. Immutable; thread-safe.
 */
public final class Route {

    /** How a key matches: {@code "/x"} prefix of the URL path, {@code ".php"} (or any other) suffix, {@code ""} everything. */
    public enum KeyKind {
        PREFIX,
        SUFFIX,
        ALL;

        /** The kind of {@code key}, by lighttpd's rule. */
        public static KeyKind of(String key) {
            if (key.isEmpty()) {
                return ALL;
            }
            return key.startsWith("/") ? PREFIX : SUFFIX;
        }
    }

    private final String key;
    private final Protocol protocol;
    private final Balance balance;
    private final List<BackendConfig> backends;
    private final SourceLocation location;

    private Route(String key, Protocol protocol, Balance balance, List<BackendConfig> backends,
            SourceLocation location) {
        this.key = Objects.requireNonNull(key, "key");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.balance = Objects.requireNonNull(balance, "balance");
        this.location = Objects.requireNonNull(location, "location");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("route \"" + key + "\" needs at least one backend");
        }
        this.backends = backends.stream().map(b -> b.withProtocol(protocol)).toList();
    }

    /** A route with least-connection balancing; each backend is adjusted to speak {@code protocol}. */
    public static Route of(String key, Protocol protocol, BackendConfig... backends) {
        return new Route(key, protocol, Balance.LEAST_CONNECTION, Arrays.asList(backends), SourceLocation.API);
    }

    /** A route with every property given; each backend is adjusted to speak {@code protocol}. */
    public static Route of(String key, Protocol protocol, Balance balance, List<BackendConfig> backends,
            SourceLocation location) {
        return new Route(key, protocol, balance, List.copyOf(backends), location);
    }

    /** The same route balanced with {@code newBalance}. */
    public Route withBalance(Balance newBalance) {
        return newBalance == balance ? this : new Route(key, protocol, newBalance, backends, location);
    }

    public String key() {
        return key;
    }

    public KeyKind keyKind() {
        return KeyKind.of(key);
    }

    public Protocol protocol() {
        return protocol;
    }

    public Balance balance() {
        return balance;
    }

    /** The hosts of this key, in config order. */
    public List<BackendConfig> backends() {
        return backends;
    }

    /** Where the key was written ({@link SourceLocation#API} for builder-made routes). */
    public SourceLocation location() {
        return location;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Route that && key.equals(that.key) && protocol == that.protocol
                && balance == that.balance && backends.equals(that.backends);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, protocol, balance, backends);
    }

    @Override
    public String toString() {
        return "Route[" + protocol + " \"" + key + "\" " + keyKind() + " " + balance + " " + backends + "]";
    }
}
