package io.gatehouse.core.internal.gateway;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.gatehouse.core.internal.log.ErrorLog;

/**
 * The bytes that the spool files of slow clients' responses hold together, across the server and
 * its generations, and their bound: one response keeps at most {@link ResponseSpool#MAX_BYTES},
 * but as many clients as the server takes could each ask for a large page and read nothing, and
 * fill the disk of {@code server.upload-dirs} (often the root file system, or memory where it is
 * a tmpfs). Past the bound a response is spooled no further: its backend waits for its client,
 * as it did before responses were spooled. A spool file's bytes count until it is closed.
 *
 * <p>Thread-safe.
 */
public final class SpoolBudget {

    private final long maxBytes;
    private final ErrorLog errorLog;
    private final AtomicLong kept = new AtomicLong();
    /** Said in the error log, and not yet back under half the bound: one line per time it fills. */
    private final AtomicBoolean full = new AtomicBoolean();

    public SpoolBudget(long maxBytes, ErrorLog errorLog) {
        this.maxBytes = maxBytes;
        this.errorLog = errorLog;
    }

    /** Whether spool files may take more: one more append may pass the bound, by at most what it adds. */
    boolean hasRoom() {
        return kept.get() < maxBytes;
    }

    /** Counts {@code bytes} appended to a spool file; says so in the error log when the bound is reached. */
    void add(long bytes) {
        if (kept.addAndGet(bytes) >= maxBytes && full.compareAndSet(false, true)) {
            errorLog.warn("gateway", "GH-UPLOAD-003 slow clients' responses hold " + maxBytes / (1024 * 1024)
                    + " MiB in server.upload-dirs, the server's bound: further responses are not spooled,"
                    + " their backends wait for their clients until spool files are sent and closed");
        }
    }

    /** Gives back the bytes of a spool file that was closed. */
    void remove(long bytes) {
        if (kept.addAndGet(-bytes) < maxBytes / 2) {
            full.set(false);
        }
    }

    /** The bytes the open spool files hold. */
    public long kept() {
        return kept.get();
    }
}
