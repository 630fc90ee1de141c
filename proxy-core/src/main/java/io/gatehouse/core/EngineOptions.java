package io.gatehouse.core;

import java.time.Duration;

import io.gatehouse.conf.ServerConfig;

/**
 * How the request engine of one {@link Gatehouse} runs, beside what it serves (its
 * {@link ServerConfig}): given to {@link Gatehouse#start(ServerConfig, EngineOptions)} and read
 * nowhere else, so two servers in one JVM can run with different options. The command line takes
 * {@code -Dgatehouse.io-threads=N} and {@code -Dgatehouse.tls-engine=NAME} into it; an embedding
 * service builds its own.
 *
 * <pre>{@code
 * Gatehouse.start(config, EngineOptions.defaults().withIoThreads(4).withThreadName("site-a"));
 * }</pre>
 *
 * @param ioThreads  the I/O threads serving the connections; each runs its connections' requests
 *                   start to end, backend calls included
 * @param threadName what the server's threads are called ({@code NAME I/O-1}, {@code NAME-task}),
 *                   so two servers in one JVM can be told apart in a thread dump
 * @param certificateCheckInterval how often {@code ssl.refresh-certs} looks whether the certificate
 *                   files changed
 * @param tlsEngine  the TLS implementation of the HTTPS listeners; a reload keeps it
 * @param responseSpoolBytes what the spool files of slow clients' responses (in
 *                   {@code server.upload-dirs}) hold together at most; past it a response's backend
 *                   waits for its client; 0 spools nothing
 *
 * <p>Immutable.
 */
public record EngineOptions(int ioThreads, String threadName, Duration certificateCheckInterval,
        TlsEngine tlsEngine, long responseSpoolBytes) {

    /** The name of the threads of a server started with the defaults. */
    public static final String DEFAULT_THREAD_NAME = "gatehouse";

    /** Once a minute: a renewed certificate is served within a minute of being written. */
    public static final Duration DEFAULT_CERTIFICATE_CHECK_INTERVAL = Duration.ofMinutes(1);

    /**
     * 1 GiB: sixteen slow clients at the bound of one response (64 MiB), or a thousand of them on
     * pages of a megabyte.
     */
    public static final long DEFAULT_RESPONSE_SPOOL_BYTES = 1024L * 1024 * 1024;

    /**
     * @throws IllegalArgumentException for fewer than one I/O thread, a blank thread name, an
     *                                  interval under a millisecond, no TLS engine or a negative
     *                                  spool bound
     */
    public EngineOptions {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("io-threads must be at least 1, not " + ioThreads);
        }
        if (threadName == null || threadName.isBlank()) {
            throw new IllegalArgumentException("the thread name must not be blank");
        }
        if (certificateCheckInterval == null || certificateCheckInterval.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("the certificate check interval must be positive, not "
                    + certificateCheckInterval);
        }
        if (tlsEngine == null) {
            throw new IllegalArgumentException("the TLS engine must be given");
        }
        if (responseSpoolBytes < 0) {
            throw new IllegalArgumentException("the response spool bound must not be negative, not " + responseSpoolBytes);
        }
    }

    /**
     * {@code ioThreads} threads named {@code threadName}, certificates checked once a minute, TLS by
     * {@link TlsEngine#JSSE}, responses spooled up to {@link #DEFAULT_RESPONSE_SPOOL_BYTES}.
     */
    public EngineOptions(int ioThreads, String threadName) {
        this(ioThreads, threadName, DEFAULT_CERTIFICATE_CHECK_INTERVAL, TlsEngine.JSSE, DEFAULT_RESPONSE_SPOOL_BYTES);
    }

    /** {@link #defaultIoThreads()} threads named {@value #DEFAULT_THREAD_NAME}, the other defaults as above. */
    public static EngineOptions defaults() {
        return new EngineOptions(defaultIoThreads(), DEFAULT_THREAD_NAME);
    }

    /**
     * Half the cores, at least one: the backends behind gatehouse (PHP) need the other half. On two
     * cores one I/O thread measured 10-20 % less CPU per request and 5-10 % more requests per
     * second than two (hello at 64 connections, keep-alive), since requests no longer cross
     * threads; at 1024 connections its p99 was higher (124-178 ms against 97-115 ms).
     */
    public static int defaultIoThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public EngineOptions withIoThreads(int count) {
        return new EngineOptions(count, threadName, certificateCheckInterval, tlsEngine, responseSpoolBytes);
    }

    public EngineOptions withThreadName(String name) {
        return new EngineOptions(ioThreads, name, certificateCheckInterval, tlsEngine, responseSpoolBytes);
    }

    public EngineOptions withCertificateCheckInterval(Duration interval) {
        return new EngineOptions(ioThreads, threadName, interval, tlsEngine, responseSpoolBytes);
    }

    public EngineOptions withTlsEngine(TlsEngine engine) {
        return new EngineOptions(ioThreads, threadName, certificateCheckInterval, engine, responseSpoolBytes);
    }

    public EngineOptions withResponseSpoolBytes(long bytes) {
        return new EngineOptions(ioThreads, threadName, certificateCheckInterval, tlsEngine, bytes);
    }
}
