package io.gatehouse.conf;

import java.time.Duration;

/**
 * The client-connection limits of lighttpd's {@code server.*} directives, with lighttpd's
 * defaults: 1000 requests per keep-alive connection, 5 s keep-alive idle, 60 s read idle,
 * 360 s write idle, backlog 1024, and {@code server.max-connections} derived from the descriptors
 * the process may open ({@code server.max-fds}) as lighttpd derives it: a third of them (1365 of
 * the default 4096), and never more than half.
 *
 * <p>Immutable; thread-safe.
 *
 * @param maxConnections 0 when {@code server.max-connections} is not set: see {@link #maxConnections(int)}
 * @param maxFds         {@code server.max-fds}; 0 when not set (the limit in effect, up to
 *                       {@value #DEFAULT_MAX_FDS}, is used)
 */
public record ConnectionLimits(int maxKeepAliveRequests, Duration maxKeepAliveIdle, Duration maxReadIdle,
        Duration maxWriteIdle, int maxConnections, int listenBacklog, int maxFds) {

    /** lighttpd's descriptor count when {@code server.max-fds} is not set and the limit in effect is higher. */
    public static final int DEFAULT_MAX_FDS = 4096;

    /** lighttpd's ceiling ({@code server.max-fds} is a 16-bit value there). */
    public static final int MAX_MAX_FDS = 65535;

    /**
     * The least {@code server.max-fds} accepted: the JVM holds 50 to 100 descriptors of its own
     * (jars, its listeners, epoll), and below this little would be left for connections.
     */
    public static final int MIN_MAX_FDS = 256;

    /** lighttpd's defaults. */
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(1000, Duration.ofSeconds(5),
            Duration.ofSeconds(60), Duration.ofSeconds(360), 0, 1024, 0);

    /** Limits without {@code server.max-fds}. */
    public ConnectionLimits(int maxKeepAliveRequests, Duration maxKeepAliveIdle, Duration maxReadIdle,
            Duration maxWriteIdle, int maxConnections, int listenBacklog) {
        this(maxKeepAliveRequests, maxKeepAliveIdle, maxReadIdle, maxWriteIdle, maxConnections, listenBacklog, 0);
    }

    /**
     * The connections served at once, given the descriptors the process may open
     * ({@code descriptors}, lighttpd's {@code max_fds}), as lighttpd decides it: the configured
     * {@code server.max-connections}, but at most half the descriptors (each connection may need
     * one to its backend); when not configured, a third of them.
     */
    public int maxConnections(int descriptors) {
        int half = Math.max(1, descriptors / 2);
        if (maxConnections > half) {
            return half;
        }
        return maxConnections > 0 ? maxConnections : Math.max(1, descriptors / 3);
    }

    /**
     * lighttpd's {@code max_fds} for a process whose open-file limit (soft {@code RLIMIT_NOFILE})
     * is {@code softLimit}: {@code server.max-fds} when set, else the limit up to
     * {@value #DEFAULT_MAX_FDS}. Safer than lighttpd where they differ: never more than the limit
     * in effect (lighttpd keeps a {@code server.max-fds} it could not apply).
     */
    public int descriptors(long softLimit) {
        long wanted = maxFds > 0 ? maxFds : DEFAULT_MAX_FDS;
        return (int) Math.max(1, Math.min(wanted, softLimit));
    }
}
