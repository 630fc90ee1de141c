package io.gatehouse.core.internal.cli;

import java.io.PrintStream;

/**
 * Runs restarts asked for by SIGUSR1, one at a time, off the signal thread. A request that
 * arrives while a restart runs is remembered once: when the running restart ends, one more runs
 * (reading the config file again, so an edit made meanwhile is picked up); further requests
 * meanwhile merge into that one.
 *
 * <p>Thread-safe.
 */
public final class RestartTrigger {

    private final Runnable restart;
    private final PrintStream err;
    private boolean running;
    private boolean pending;

    /** @param restart one whole restart; called on a thread of this trigger's own */
    public RestartTrigger(Runnable restart, PrintStream err) {
        this.restart = restart;
        this.err = err;
    }

    /** Starts a restart now, or queues one if a restart is running. */
    public void request() {
        synchronized (this) {
            if (running) {
                if (pending) {
                    err.println("gatehouse: restart requested while one runs and one is queued: merged into the queued one");
                } else {
                    pending = true;
                    err.println("gatehouse: restart requested while one runs: queued, it runs when the current one ends");
                }
                return;
            }
            running = true;
        }
        Thread thread = new Thread(this::loop, "gatehouse-restart");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (true) {
            try {
                restart.run();
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                // A restart that failed unexpectedly leaves the old generation serving; this
                // thread must live on, or every later SIGUSR1 would queue behind it forever.
                err.println("gatehouse: restart failed: " + e);
            }
            synchronized (this) {
                if (!pending) {
                    running = false;
                    notifyAll();
                    return;
                }
                pending = false;
            }
        }
    }

    /** True while a restart runs or is queued. */
    public synchronized boolean isBusy() {
        return running;
    }
}
