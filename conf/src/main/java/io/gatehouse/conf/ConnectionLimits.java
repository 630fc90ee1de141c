package io.gatehouse.conf;

import java.time.Duration;

/**
 * The client-connection limits of lighttpd's {@code server.*} directives, with lighttpd's
 * defaults: 1000 requests per keep-alive connection, 5 s keep-alive idle, 60 s read idle,
 * 360 s write idle, 1365 connections (a third of the default 4096 descriptors), backlog 1024.
 *
 * <p>Immutable; thread-safe.
 */
public record ConnectionLimits(int maxKeepAliveRequests, Duration maxKeepAliveIdle, Duration maxReadIdle,
        Duration maxWriteIdle, int maxConnections, int listenBacklog) {

    /** lighttpd's defaults. */
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(1000, Duration.ofSeconds(5),
            Duration.ofSeconds(60), Duration.ofSeconds(360), 1365, 1024);
}
