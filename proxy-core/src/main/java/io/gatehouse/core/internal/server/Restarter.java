package io.gatehouse.core.internal.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.Preflight;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.TlsEngine;
import io.gatehouse.core.internal.gateway.GatewayHandler;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.tls.TlsContexts;
import io.gatehouse.core.internal.tls.TlsFileStamps;
import io.gatehouse.core.internal.tls.TlsFileException;
import io.gatehouse.spawn.SpawnedBackend;
import io.undertow.server.HttpHandler;

/**
 * The graceful restart: replaces the current generation with one built from a new config, with
 * the pid, the listening sockets and the client connections kept.
 *
 * <p><b>Sequenced</b> (the default, lighttpd's order): (1) validate the config and bind the
 * listeners it adds, paused; (2) close the gate, so new requests are held; (3) drain the old
 * generation's requests up to {@code server.graceful-shutdown-timeout}, then abort the rest;
 * (4) stop the old backends (kill-signal, SIGKILL after kill-timeout, reap, unlink, verify);
 * (5) bind and spawn the new backends on the freed paths; (6) open the gate at once: the released
 * requests wait in the new sockets' listen queues until the children accept; (7) the start-up
 * check runs beside that traffic, then the new listeners are resumed and the removed ones closed.
 * A config that fails step 1 changes nothing. If spawning or the check fails, the old config's
 * backends are spawned again and serve (requests the failed generation had taken end in the
 * background, as an overlap restart's old generation does). Binding added listeners in step 1 rather than 5 means a taken port rejects
 * the reload before anything was torn down.
 *
 * <p><b>Overlap</b>, when every bin-path backend of the old and the new config has
 * {@code "restart-mode" => "overlap"} (and a unix socket; or there are none): the new backends
 * are spawned first on per-generation paths, new requests switch to them at once, and the old
 * generation drains and stops in the background ({@link RetiringGenerations}).
 *
 * <p>Every step is logged with its duration. Thread-safe: restarts run one at a time.
 */
public final class Restarter {

    private final GenerationHolder generations;
    private final GenerationGate gate;
    private final ListenerSet listeners;
    private final Function<ListenerConfig, HttpHandler> dispatchers;
    private final Function<ServerConfig, GatewayHandler> gateways;
    private final ServerStateFile stateFile;
    private final ErrorLog errorLog;
    private final RetiringGenerations retiring;
    /** The TLS engine the server started with: reloads build their contexts for it. */
    private final TlsEngine tlsEngine;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong failedReloads = new AtomicLong();
    private volatile String lastFailure = "";
    private volatile boolean inProgress;
    private volatile boolean stopping;
    private long lastNumber;
    /** The HTTPS files as they were when the serving certificates were read. */
    private TlsFileStamps tlsStamps;

    public Restarter(GenerationHolder generations, GenerationGate gate, ListenerSet listeners,
            Function<ListenerConfig, HttpHandler> dispatchers, Function<ServerConfig, GatewayHandler> gateways,
            ServerStateFile stateFile, ErrorLog errorLog, RetiringGenerations retiring, TlsFileStamps tlsStamps,
            TlsEngine tlsEngine) {
        this.generations = generations;
        this.gate = gate;
        this.listeners = listeners;
        this.dispatchers = dispatchers;
        this.gateways = gateways;
        this.stateFile = stateFile;
        this.errorLog = errorLog;
        this.retiring = retiring;
        this.tlsEngine = tlsEngine;
        this.lastNumber = generations.current().number();
        this.tlsStamps = tlsStamps;
    }

    /** What {@link #status()} reports. */
    public record Status(long generation, long restarts, long failedReloads, String lastFailure, boolean inProgress) {
    }

    public Status status() {
        return new Status(generations.current().number(), restarts.get(), failedReloads.get(), lastFailure,
                inProgress);
    }

    /** Counts a reload whose config could not even be parsed; the message names file:line:col. */
    public void rejected(String reason) {
        fail("reload rejected, still serving generation " + generations.current().number() + ": " + reason);
    }

    private void fail(String reason) {
        failedReloads.incrementAndGet();
        lastFailure = reason;
        errorLog.error("restart", reason);
    }

    /**
     * Runs the restart to {@code next}.
     *
     * @return true when a generation of {@code next} serves afterwards; false when the reload was
     *         rejected or rolled back (the reason is logged and in {@link #status()})
     */
    public boolean restart(ServerConfig next) {
        return restart(next, System.nanoTime());
    }

    /**
     * Runs the restart to {@code next}, asked for at {@code requestedNanos} ({@link System#nanoTime}):
     * the error log counts the restart's moments from then, the config's read included.
     */
    public boolean restart(ServerConfig next, long requestedNanos) {
        lock.lock();
        try {
            if (stopping) {
                errorLog.warn("restart", "restart ignored: the server is stopping");
                return false;
            }
            inProgress = true;
            return run(next, new RestartTimeline(requestedNanos));
        } finally {
            inProgress = false;
            lock.unlock();
        }
    }

    private boolean run(ServerConfig next, RestartTimeline timeline) {
        Generation old = generations.current();
        long number = lastNumber + 1;
        String target = "restart to generation " + number;
        errorLog.info("restart", target + " started (" + next.source().map(Object::toString).orElse("config from the API")
                + "), generation " + old.number() + " serving");

        // Named when done: how many steps follow depends on the kind of restart validation chooses.
        Step step = new Step(target, "validate");
        List<String> problems = Preflight.check(next);
        if (!problems.isEmpty()) {
            fail("reload rejected, still serving generation " + old.number() + ": " + String.join("; ", problems));
            return false;
        }
        int maxFds = next.connectionLimits().maxFds();
        if (maxFds != old.config().connectionLimits().maxFds()) {
            errorLog.warn("restart", "server.max-fds changed to " + maxFds + ": the open-file limit is set when"
                    + " gatehouse starts, so it takes effect at the next start; connections are bounded by the"
                    + " limit in effect until then");
        }
        TlsContexts tls;
        TlsFileStamps stamps = TlsFileStamps.of(next.listeners());
        try {
            // Read now, so a certificate or key that cannot serve leaves the old ones serving.
            tls = TlsContexts.load(next.listeners(), Instant.now(), tlsEngine);
        } catch (TlsFileException e) {
            fail("reload rejected, still serving generation " + old.number() + ": GH-TLS-001 " + e.getMessage());
            return false;
        }
        List<ListenerConfig> wanted = listeners.listenersToServe(next);
        List<ListenerConfig> bound = listeners.configs();
        List<ListenerConfig> added = new ArrayList<>(wanted);
        added.removeAll(bound);
        List<ListenerConfig> removed = new ArrayList<>(bound);
        removed.removeAll(wanted);
        // Sockets systemd passed stay served (with the global settings if the config dropped them):
        // closing one would leave its address dead until systemd restarts the whole service.
        removed.removeAll(listeners.inherited());
        try {
            listeners.bindPaused(added, dispatchers, tls);
        } catch (IOException e) {
            fail("reload rejected, still serving generation " + old.number() + ": " + e.getMessage());
            return false;
        }
        boolean overlap = overlapPossible(old.config()) && overlapPossible(next);
        step.done(overlap ? "1/4 validate" : "1/7 validate", "config valid, " + added.size() + " listeners added, "
                + removed.size() + " removed, " + (overlap ? "overlap" : "sequenced") + " restart");

        boolean ok = overlap ? overlap(old, next, number, added, removed)
                : sequenced(old, next, number, added, removed, timeline);
        if (ok) {
            listeners.apply(next, tls);
            tlsStamps = stamps;
            restarts.incrementAndGet();
        }
        errorLog.info("restart", "generation " + generations.current().number() + " serving"
                + (ok ? "" : " (the old config)") + "; " + timeline.describe());
        return ok;
    }

    /**
     * {@code ssl.refresh-certs}: when a certificate, key or CA file of the serving config has
     * changed since it was read, reads them again and gives them to new connections (open ones keep
     * theirs), as a reload would. Files that cannot serve (a key that no longer matches, a file half
     * written) are logged, and the certificates read before keep serving until a file changes again.
     * Skipped while a restart runs: it reads the files itself.
     */
    public void refreshCertificates() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            ServerConfig config = generations.current().config();
            if (stopping || !config.refreshCertificates()) {
                return;
            }
            TlsFileStamps now = TlsFileStamps.of(config.listeners());
            List<Path> changed = now.changedSince(tlsStamps);
            if (changed.isEmpty()) {
                return;
            }
            tlsStamps = now;
            TlsContexts tls;
            try {
                tls = TlsContexts.load(config.listeners(), Instant.now(), tlsEngine);
            } catch (TlsFileException e) {
                errorLog.error("tls", "ssl.refresh-certs: " + changed + " changed, but GH-TLS-001 " + e.getMessage()
                        + "; the certificates read before keep serving");
                return;
            }
            listeners.apply(config, tls);
            errorLog.info("tls", "ssl.refresh-certs: " + changed + " changed: new connections get the"
                    + " certificates read now");
        } finally {
            lock.unlock();
        }
    }

    private boolean sequenced(Generation old, ServerConfig next, long number, List<ListenerConfig> added,
            List<ListenerConfig> removed, RestartTimeline timeline) {
        String target = "restart to generation " + number;
        Step step = new Step(target, "2/7 close the gate");
        gate.close();
        old.inFlight().close();
        step.done(old.inFlight().count() + " requests in flight; new requests are held");

        step = new Step(target, "3/7 drain");
        int waiting = old.inFlight().count();
        boolean drained = awaitDrained(old);
        int aborted = drained ? 0 : old.inFlight().abortAll();
        step.done(waiting + " requests were in flight" + (aborted > 0 ? ", " + aborted + " aborted at the "
                + old.config().gracefulShutdownTimeout().toSeconds() + " s limit" : ", all finished"));

        step = new Step(target, "4/7 stop the old backends");
        old.closeIdleConnections();
        BackendProcesses.StopReportSummary stop = old.processes().stop();
        timeline.mark("old children reaped");
        step.done(stop.backends() + " backends stopped" + (stop.verified() ? ", verified" : ", NOT verified"));
        if (stopping && old.inFlight().isAbandoned()) {
            listeners.remove(added);
            errorLog.warn("restart", target + " abandoned: the server is stopping");
            return false;
        }

        step = new Step(target, "5/7 spawn the new backends");
        BackendProcesses processes;
        try {
            processes = BackendProcesses.launch(next, number, stateFile, errorLog);
        } catch (IOException e) {
            fail("reload failed, rolling back to the old config: " + e.getMessage());
            step.done(rollBack(old.config(), number, added));
            openGate(target, "6/7");
            return false;
        }
        Generation fresh = Generation.of(number, next, processes, gateways.apply(next));
        generations.replace(fresh);
        lastNumber = number;
        timeline.mark("new children spawned");
        step.done(processes.all().size() + " backends, pids " + processes.pids());

        openGate(target, "6/7");
        timeline.mark("gate opened");

        step = new Step(target, "7/7 start-up check");
        try {
            processes.confirmStarted();
        } catch (IOException e) {
            fail("reload failed, rolling back to the old config: " + e.getMessage());
            // Held only while the old config's backends are spawned again; what the failed
            // generation had taken (its own children are stopped) ends in the background.
            gate.close();
            step.done(rollBack(old.config(), number, added));
            openGate(target, "7/7");
            retiring.retire(fresh, next.gracefulShutdownTimeout());
            return false;
        }
        listeners.remove(removed);
        listeners.resumeAccepts();
        step.done("every child alive " + SpawnedBackend.STARTUP_CHECK.toMillis() + " ms after its spawn");
        return true;
    }

    /**
     * Makes the old config serve again after its backends were stopped and the new ones failed:
     * the added listeners go, the old config's backends are spawned afresh. The gate is closed.
     */
    private String rollBack(ServerConfig oldConfig, long number, List<ListenerConfig> added) {
        listeners.remove(added);
        BackendProcesses processes = respawn(oldConfig, number);
        install(Generation.of(number, oldConfig, processes, gateways.apply(oldConfig)), List.of());
        return "rolled back: the old config's backends, pids " + processes.pids();
    }

    private void openGate(String target, String stepNumber) {
        Step step = new Step(target, stepNumber + " open the gate");
        int released = gate.open();
        step.done(released + " held requests released");
    }

    private BackendProcesses respawn(ServerConfig config, long number) {
        try {
            return BackendProcesses.start(config, number, stateFile, errorLog);
        } catch (IOException e) {
            errorLog.error("restart", "GH-RESTART-001 cannot respawn the old config's backends either: "
                    + e.getMessage() + "; requests to them fail until the next successful reload");
            return BackendProcesses.none(errorLog);
        }
    }

    private boolean overlap(Generation old, ServerConfig next, long number, List<ListenerConfig> added,
            List<ListenerConfig> removed) {
        String target = "restart to generation " + number;
        Step step = new Step(target, "2/4 spawn the new backends beside the old");
        BackendProcesses processes;
        try {
            processes = BackendProcesses.start(next, number, stateFile, errorLog);
        } catch (IOException e) {
            listeners.remove(added);
            fail("reload failed, still serving generation " + old.number() + ": " + e.getMessage());
            return false;
        }
        List<java.net.SocketAddress> silent = ReadinessProbe.await(processes);
        step.done(processes.all().size() + " backends, pids " + processes.pids()
                + (silent.isEmpty() ? ", all answering" : ", not answering within "
                        + ReadinessProbe.MAX_WAIT.toSeconds() + " s (used anyway): " + silent));

        step = new Step(target, "3/4 switch new requests");
        install(Generation.of(number, next, processes, gateways.apply(next)), removed);
        step.done("generation " + number + " takes new requests");

        step = new Step(target, "4/4 retire the old generation");
        retiring.retire(old, old.config().gracefulShutdownTimeout());
        step.done(old.inFlight().count() + " requests of generation " + old.number()
                + " drain in the background");
        return true;
    }

    private void install(Generation fresh, List<ListenerConfig> removed) {
        generations.replace(fresh);
        lastNumber = fresh.number();
        listeners.remove(removed);
        listeners.resumeAccepts();
    }

    private static boolean awaitDrained(Generation old) {
        try {
            return old.inFlight().awaitDrained(old.config().gracefulShutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True when every bin-path backend of {@code config} can run beside its previous generation. */
    static boolean overlapPossible(ServerConfig config) {
        for (BackendConfig backend : config.allBackends()) {
            if (backend.isSpawned() && !BackendProcesses.overlaps(backend)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Refuses later restarts and waits until a running one has ended.
     *
     * @param cutShort true for a fast stop: a running restart's drain ends at once (its requests
     *                 are aborted) and it spawns nothing more; false lets it finish its steps
     */
    public void stop(boolean cutShort) {
        stopping = true;
        if (cutShort && inProgress) {
            generations.current().inFlight().abortAll();
        }
        lock.lock();
        lock.unlock();
    }

    /** Logs one step of a restart with its duration. */
    private final class Step {
        private final String target;
        private final String name;
        private final long started = System.nanoTime();

        Step(String target, String name) {
            this.target = target;
            this.name = name;
        }

        void done(String outcome) {
            done(name, outcome);
        }

        void done(String finalName, String outcome) {
            errorLog.info("restart", target + ": step " + finalName + ": " + outcome + " ("
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms)");
        }
    }
}
