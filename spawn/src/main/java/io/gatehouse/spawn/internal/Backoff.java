package io.gatehouse.spawn.internal;

import java.util.concurrent.TimeUnit;

/**
 * Delay before respawning a proc whose child died: the first respawn happens at once, each
 * further one waits twice as long as the one before, up to a cap; a child that stayed up for a
 * stable period resets the sequence. A crash loop therefore settles at one spawn per
 * {@link #MAX_DELAY_NANOS} and never spins a core.
 *
 * <p>Not thread-safe: owned by one proc and used by the supervisor thread only.
 */
public final class Backoff {

    /** Second delay of a crash loop: long enough to let a dependency (a database) come back. */
    static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Cap: a crash-looping backend is retried this often forever, as lighttpd retries it. */
    static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** A child up this long was healthy; its death starts a new sequence. */
    static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private long nextDelayNanos;

    /** The delay to wait before the next spawn, given how long the dead child had been up. */
    public long delayAfterExit(long upNanos) {
        if (upNanos >= STABLE_NANOS) {
            nextDelayNanos = 0;
        }
        long delay = nextDelayNanos;
        nextDelayNanos = delay == 0 ? FIRST_DELAY_NANOS : Math.min(delay * 2, MAX_DELAY_NANOS);
        return delay;
    }
}
