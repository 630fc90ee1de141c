package io.gatehouse.core;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.gatehouse.core.internal.cli.RestartTrigger;
import io.gatehouse.core.internal.cli.SystemdNotifier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The signals of a running server, as lighttpd's: USR1 graceful restart, INT graceful stop (a
 * second INT stops at once), TERM fast stop, HUP reopen the logs. Each delivery runs on a thread
 * of its own (HotSpot's), so a graceful stop waiting for requests does not delay a second INT.
 *
 * <p>Installed before the server starts, so that a stop signal arriving while it starts (its
 * port may already answer) is not lost: it takes effect as soon as the server is
 * {@linkplain #attach attached}; so does a USR1 (a HUP then has nothing to reopen yet).
 *
 * <p>Thread-safe.
 */
final class Signals {

    private final Predicate<Gatehouse> reload;
    private final SystemdNotifier systemd;
    private final PrintStream err;
    private final AtomicInteger interrupts = new AtomicInteger();
    private Gatehouse server;
    private RestartTrigger restarts;
    private boolean fastStopPending;
    private boolean restartPending;

    Signals(Predicate<Gatehouse> reload, SystemdNotifier systemd, PrintStream err) {
        this.reload = reload;
        this.systemd = systemd;
        this.err = err;
    }

    void install() {
        handle("USR1", this::restart);
        handle("INT", this::interrupt);
        handle("TERM", this::terminate);
        handle("HUP", this::hangUp);
    }

    /** Hands the started server to the handlers, and runs a stop that arrived meanwhile. */
    void attach(Gatehouse started) {
        boolean stopNow;
        boolean restartNow;
        synchronized (this) {
            server = started;
            restarts = new RestartTrigger(() -> {
                systemd.reloading();
                reload.test(started);
                systemd.ready("generation " + started.restartStatus().generation() + " serving");
            }, err);
            stopNow = fastStopPending || interrupts.get() > 0;
            restartNow = restartPending && !stopNow;
        }
        if (restartNow) {
            restarts.request();
        }
        // A System.exit from elsewhere still stops the backends (the handlers above replace the JDK's).
        Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "gatehouse-shutdown"));
        if (stopNow) {
            err.println("gatehouse: a stop signal arrived during start: stopping");
            systemd.stopping();
            if (fastStopPending || interrupts.get() > 1) {
                started.stop(false, Duration.ZERO);
            } else {
                started.stop(true, started.config().gracefulShutdownTimeout());
            }
        }
    }

    private synchronized Gatehouse server() {
        return server;
    }

    private void restart() {
        RestartTrigger trigger;
        synchronized (this) {
            trigger = restarts;
            if (trigger == null) {
                restartPending = true;
                return;
            }
        }
        trigger.request();
    }

    private void interrupt() {
        int count = interrupts.incrementAndGet();
        Gatehouse running = server();
        if (running == null) {
            return; // attach() stops it
        }
        if (count == 1) {
            systemd.stopping();
            running.stop(true, running.config().gracefulShutdownTimeout());
        } else {
            running.stop(false, Duration.ZERO);
        }
    }

    private void terminate() {
        Gatehouse running;
        synchronized (this) {
            running = server;
            if (running == null) {
                fastStopPending = true;
                return;
            }
        }
        systemd.stopping();
        running.stop(false, Duration.ZERO);
    }

    private void hangUp() {
        Gatehouse running = server();
        if (running != null) {
            running.reopenLogs();
        }
    }

    private void handle(String signal, Runnable action) {
        try {
            SignalHandler previous = Signal.handle(new Signal(signal), s -> action.run());
            if (previous == SignalHandler.SIG_IGN) {
                // Ignored when we started (nohup, a background job): the JVM installs nothing then.
                err.println("gatehouse: WARNING: SIG" + signal + " was ignored at start; it stays ignored");
            }
        } catch (IllegalArgumentException e) {
            // OpenJ9 reserves USR1: "gatehouse -s reload -f FILE" is the other way to restart.
            err.println("gatehouse: WARNING: cannot handle SIG" + signal + ": " + e.getMessage()
                    + ("USR1".equals(signal) ? "; use gatehouse -s reload -f FILE to restart" : ""));
        }
    }
}
