package io.gatehouse.core.internal.backend;

import org.xnio.XnioIoThread;

/**
 * Running work on the I/O thread that owns a request's connections, from that thread or another
 * (a pool handing over a connection, a restart aborting a request).
 *
 * <p>Stateless; thread-safe.
 */
public final class IoThreads {

    private IoThreads() {
    }

    /** Runs {@code task} now when called on {@code thread}, else queues it there. */
    public static void runOn(XnioIoThread thread, Runnable task) {
        if (Thread.currentThread() == thread) {
            task.run();
        } else {
            thread.execute(task);
        }
    }
}
