package io.gatehouse.conf;

import java.util.Locale;
import java.util.Optional;

/**
 * How a request picks one of the hosts of a {@link Route} ({@code fastcgi.balance},
 * {@code scgi.balance}), as lighttpd: least-connection (default), round-robin, hash of the URL
 * authority and path, or sticky by client IP.
 *
 * <p>Immutable; thread-safe.
 */
public enum Balance {
    LEAST_CONNECTION("least-connection"),
    ROUND_ROBIN("round-robin"),
    HASH("hash"),
    STICKY("sticky");

    private final String configName;

    Balance(String configName) {
        this.configName = configName;
    }

    /** The name used in the config file. */
    public String configName() {
        return configName;
    }

    /** Parses a config name; {@code fair} is lighttpd's alias of least-connection. */
    public static Optional<Balance> fromConfigName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("fair")) {
            return Optional.of(LEAST_CONNECTION);
        }
        for (Balance balance : values()) {
            if (balance.configName.equals(lower)) {
                return Optional.of(balance);
            }
        }
        return Optional.empty();
    }
}
