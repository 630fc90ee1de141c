package io.gatehouse.core.internal.gateway;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * The one deadline of a backend call, checked by at most one timer task on its I/O thread. A
 * deadline that moves later (progress on a read or a write) costs nothing until the task runs and
 * finds it not yet due; one that moves earlier replaces the task.
 *
 * <p>Confined to the I/O thread.
 */
final class Deadline {

    private static final long NONE = Long.MAX_VALUE;

    private final XnioIoThread thread;
    private final Runnable expired;
    private long at = NONE;
    private XnioExecutor.Key timer;
    /** When {@link #timer} runs. */
    private long timerAt;

    /** @param expired run on the I/O thread when a deadline passes without being moved or cleared */
    Deadline(XnioIoThread thread, Runnable expired) {
        this.thread = thread;
        this.expired = expired;
    }

    /** The deadline is {@code timeout} from now; {@link Duration#ZERO}: none. */
    void set(Duration timeout) {
        if (timeout.isZero()) {
            at = NONE;
            return;
        }
        at = System.nanoTime() + timeout.toNanos();
        if (timer != null && at - timerAt < 0) {
            timer.remove();
            timer = null;
        }
        if (timer == null) {
            schedule();
        }
    }

    /** No deadline until the next {@link #set}. */
    void clear() {
        at = NONE;
    }

    /** No deadline, and no timer task left behind. */
    void cancel() {
        at = NONE;
        if (timer != null) {
            timer.remove();
            timer = null;
        }
    }

    private void schedule() {
        long millis = TimeUnit.NANOSECONDS.toMillis(at - System.nanoTime()) + 1;
        timerAt = at;
        timer = thread.executeAfter(this::check, millis, TimeUnit.MILLISECONDS);
    }

    private void check() {
        timer = null;
        if (at == NONE) {
            return;
        }
        if (at - System.nanoTime() > 0) {
            schedule();
            return;
        }
        at = NONE;
        expired.run();
    }
}
