package io.gatehouse.core.internal.server;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The clock of {@code ssl.refresh-certs}: asks {@link Restarter#refreshCertificates()} to look at
 * the certificate files every interval, on a thread of its own (reading and checking a certificate
 * blocks, so never on an I/O thread). It ticks whatever the config says, since a reload may turn
 * the flag on; a tick without the flag costs nothing.
 *
 * <p>Thread-safe.
 */
public final class CertificateRefresh implements AutoCloseable {

    private final ScheduledExecutorService clock;

    private CertificateRefresh(ScheduledExecutorService clock) {
        this.clock = clock;
    }

    /** Starts ticking every {@code interval}, the first tick one interval from now. */
    public static CertificateRefresh start(Restarter restarter, Duration interval, String threadName) {
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName + "-certificates");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        clock.scheduleWithFixedDelay(restarter::refreshCertificates, millis, millis, TimeUnit.MILLISECONDS);
        return new CertificateRefresh(clock);
    }

    /** Stops the clock; a check running now finishes first. */
    @Override
    public void close() {
        clock.shutdownNow();
        try {
            clock.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
