package io.gatehouse.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigParser;
import io.gatehouse.conf.ConfigWarning;
import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.backend.BackendHost;
import io.gatehouse.core.internal.gateway.GatewayHandler;
import io.gatehouse.core.internal.gateway.ReadBuffers;
import io.gatehouse.core.internal.gateway.SpoolBudget;
import io.gatehouse.core.internal.log.AccessLog;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.server.BackendProcesses;
import io.gatehouse.core.internal.server.CertificateRefresh;
import io.gatehouse.core.internal.server.Generation;
import io.gatehouse.core.internal.server.GenerationGate;
import io.gatehouse.core.internal.server.GenerationHolder;
import io.gatehouse.core.internal.server.Http2RequestBudget;
import io.gatehouse.core.internal.server.InheritedSockets;
import io.gatehouse.core.internal.server.ListenerSet;
import io.gatehouse.core.internal.server.RequestDispatcher;
import io.gatehouse.core.internal.server.Restarter;
import io.gatehouse.core.internal.server.RetiringGenerations;
import io.gatehouse.core.internal.server.ServerStateFile;
import io.gatehouse.core.internal.tls.TlsContexts;
import io.gatehouse.core.internal.tls.TlsFileException;
import io.gatehouse.core.internal.tls.TlsFileStamps;
import io.gatehouse.spawn.OpenFileLimit;
import io.gatehouse.spawn.OpenedFile;
import io.gatehouse.spawn.ProcStatus;
import io.undertow.server.HttpHandler;

/**
 * A running gatehouse server: HTTP listeners in front of the FastCGI/SCGI backends of one
 * {@link ServerConfig} at a time. This is the API a JVM service embeds; the command line is a
 * thin shell over it.
 *
 * <pre>{@code
 * ServerConfig config = ConfigParser.parse(Path.of("/etc/gatehouse/gatehouse.conf"));
 * try (Gatehouse server = Gatehouse.start(config)) {
 *     ...
 *     server.restart(ConfigParser.parse(Path.of("/etc/gatehouse/gatehouse.conf"))); // as SIGUSR1
 *     ...
 * }   // close() = stop(false, ZERO)
 * }</pre>
 *
 * <p>The log files ({@code server.errorlog}, {@code accesslog.*}) and the state file of the
 * children are those of the config it started with; a restart keeps them.
 *
 * <p>Thread-safe. Restarts run one at a time; a stop waits for a running restart.
 */
public final class Gatehouse implements AutoCloseable {

    /** After the start, when the first requests have most likely been answered. */
    private static final Duration NATIVE_BINDING_DELAY = Duration.ofSeconds(2);

    private final ErrorLog errorLog;
    private final AccessLog accessLog;
    private final ReadBuffers readBuffers;
    private final SpoolBudget spoolBudget;
    private final GenerationHolder generations;
    private final GenerationGate gate;
    private final ListenerSet listeners;
    private final RetiringGenerations retiring;
    private final Restarter restarter;
    private final CertificateRefresh certificateRefresh;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object stopLock = new Object();
    private boolean stopping;

    private Gatehouse(ErrorLog errorLog, AccessLog accessLog, ReadBuffers readBuffers, SpoolBudget spoolBudget,
            GenerationHolder generations, GenerationGate gate, ListenerSet listeners, RetiringGenerations retiring,
            Restarter restarter, CertificateRefresh certificateRefresh) {
        this.errorLog = errorLog;
        this.accessLog = accessLog;
        this.readBuffers = readBuffers;
        this.spoolBudget = spoolBudget;
        this.generations = generations;
        this.gate = gate;
        this.listeners = listeners;
        this.retiring = retiring;
        this.restarter = restarter;
        this.certificateRefresh = certificateRefresh;
    }

    /**
     * Opens the logs, spawns the bin-path backends, binds the listeners and starts serving
     * {@code config} as generation 1, with {@link EngineOptions#defaults()}.
     *
     * @throws IOException when a log cannot be opened, a backend cannot be spawned or a listener
     *                     cannot be bound; nothing is left open or running then
     */
    public static Gatehouse start(ServerConfig config) throws IOException {
        return start(config, EngineOptions.defaults());
    }

    /**
     * {@link #start(ServerConfig)} with the engine run as {@code options} say. Nothing of the
     * engine is shared with another server in the JVM: threads, buffers and caches are this one's.
     */
    public static Gatehouse start(ServerConfig config, EngineOptions options) throws IOException {
        return start(config, options, InheritedSockets.none());
    }

    /**
     * {@link #start(ServerConfig, EngineOptions)} serving on the sockets systemd passed where their
     * addresses match (socket activation; {@code Main} takes them over). They are closed if the
     * start fails.
     */
    static Gatehouse start(ServerConfig config, EngineOptions options, InheritedSockets inherited)
            throws IOException {
        ErrorLog errorLog;
        try {
            errorLog = ErrorLog.open(config.errorLog());
        } catch (IOException | RuntimeException e) {
            inherited.close();
            throw e;
        }
        AccessLog accessLog = null;
        BackendProcesses processes = null;
        ReadBuffers readBuffers = new ReadBuffers();
        try {
            TlsContexts tls;
            TlsFileStamps tlsStamps = TlsFileStamps.of(config.listeners());
            try {
                TlsContexts.requireAvailable(options.tlsEngine());
                tls = TlsContexts.load(config.listeners(), Instant.now(), options.tlsEngine());
            } catch (TlsFileException e) {
                throw new IOException("GH-TLS-001 " + e.getMessage(), e);
            }
            accessLog = config.accessLog().isPresent()
                    ? new AccessLog(config.accessLog().get(), config.accessLogFormat()) : null;
            ServerStateFile stateFile = new ServerStateFile(config, errorLog);
            // Spawned now, checked once the listeners accept: the first requests wait in the
            // children's listen queues instead of behind the 150 ms start-up check.
            processes = BackendProcesses.launch(config, 1, stateFile, errorLog);
            SpoolBudget spoolBudget = new SpoolBudget(options.responseSpoolBytes(), errorLog);
            Function<ServerConfig, GatewayHandler> gateways = c -> new GatewayHandler(errorLog, c.serverTag(),
                    c.maxRequestSizeBytes(), c.uploadDirs(), spoolBudget, readBuffers);
            GenerationHolder generations = new GenerationHolder(Generation.of(1, config, processes,
                    gateways.apply(config)));
            GenerationGate gate = new GenerationGate(generations, errorLog);
            AccessLog access = accessLog;
            Http2RequestBudget http2Budget = new Http2RequestBudget(ListenerSet.maxConnections(config));
            Function<ListenerConfig, HttpHandler> dispatchers =
                    listener -> new RequestDispatcher(gate, access, errorLog, http2Budget, listener);
            ListenerSet listeners = ListenerSet.bind(inherited.listenersToServe(config), dispatchers, inherited, config,
                    options.ioThreads(), options.threadName(), tls, http2Budget, errorLog);
            try {
                processes.confirmStarted();
            } catch (IOException e) {
                listeners.close();
                throw e;
            }
            RetiringGenerations retiring = new RetiringGenerations(errorLog);
            Restarter restarter = new Restarter(generations, gate, listeners, dispatchers, gateways, stateFile,
                    errorLog, retiring, tlsStamps, options.tlsEngine());
            CertificateRefresh certificateRefresh = CertificateRefresh.start(restarter,
                    options.certificateCheckInterval(), options.threadName());
            Gatehouse server = new Gatehouse(errorLog, accessLog, readBuffers, spoolBudget, generations, gate, listeners,
                    retiring, restarter, certificateRefresh);
            errorLog.info("server", "gatehouse " + Version.get() + " started, listening on "
                    + listeners.addresses() + "; generation 1 serving");
            errorLog.info("server", "up to " + ListenerSet.maxConnections(config)
                    + " client connections at once (server.max-connections; the open-file limit is "
                    + describeLimit(OpenFileLimit.soft()) + ")");
            if (inherited.activated()) {
                errorLog.info("server", "serving on the sockets systemd passed (socket activation): "
                        + String.join(", ", listeners.describeInherited()));
            }
            if (servesFiles(config)) {
                // So the first file served does not wait for the native binding files are opened
                // through. Not at once: loaded beside the start, on two cores, it held the first
                // proxied answer back by about 200 ms; a file asked for sooner loads it itself.
                CompletableFuture.runAsync(OpenedFile::prepare,
                        CompletableFuture.delayedExecutor(NATIVE_BINDING_DELAY.toMillis(), TimeUnit.MILLISECONDS));
            }
            return server;
        } catch (IOException | RuntimeException e) {
            inherited.close();
            if (processes != null) {
                processes.stop();
            }
            if (accessLog != null) {
                accessLog.close();
            }
            readBuffers.close();
            errorLog.close();
            throw e;
        }
    }

    private static boolean servesFiles(ServerConfig config) {
        return config.global().documentRoot().isPresent()
                || config.conditionals().stream().anyMatch(c -> c.scope().documentRoot().isPresent());
    }

    private static String describeLimit(long limit) {
        return limit == Long.MAX_VALUE ? "unlimited or unknown" : Long.toString(limit);
    }

    /** The config of the generation serving now. */
    public ServerConfig config() {
        return generations.current().config();
    }

    /** The TCP addresses the listeners are bound to, in config order (port 0 resolved). */
    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> result = new ArrayList<>();
        for (SocketAddress address : listeners.addresses()) {
            if (address instanceof InetSocketAddress inet) {
                result.add(inet);
            }
        }
        return result;
    }

    /**
     * A read-only snapshot of every backend host of the generation serving now (each child of a
     * bin-path backend is one): requests in flight and served, and for children their pid,
     * state, restarts and last exit.
     */
    public List<BackendStatus> backends() {
        List<BackendStatus> result = new ArrayList<>();
        for (BackendHost host : generations.current().hosts()) {
            ProcStatus proc = host.procStatus();
            result.add(new BackendStatus(host.config().label(), host.describe(), host.load(), host.requests(),
                    proc == null ? 0 : proc.pid(), proc == null ? "EXTERNAL" : proc.state().name(),
                    proc == null ? 0 : proc.restarts(), proc == null ? "" : proc.lastExit()));
        }
        return result;
    }

    /**
     * One backend host as {@link #backends()} reports it.
     *
     * @param pid      the child's pid, 0 for an external backend
     * @param state    the child's state (STARTING, RUNNING, DOWN, EXTERNAL, STOPPED)
     * @param lastExit how the previous child of this proc ended, empty if none did
     */
    public record BackendStatus(String label, String address, int load, long requests, long pid, String state,
            int restarts, String lastExit) {
    }

    /**
     * Where restarts stand, for the status page.
     *
     * @param generation    the generation serving now: 1 at start, one more for each restart that
     *                      installed a generation (a rolled-back one included)
     * @param restarts      restarts that installed the new config
     * @param failedReloads reloads rejected (bad config, taken port) or rolled back (spawn failed)
     * @param lastFailure   why the last failed reload failed; empty if none did
     * @param inProgress    true while a restart runs
     * @param retiring      old generations still draining in the background (overlap restarts)
     */
    public record RestartStatus(long generation, long restarts, long failedReloads, String lastFailure,
            boolean inProgress, int retiring) {
    }

    public RestartStatus restartStatus() {
        Restarter.Status s = restarter.status();
        return new RestartStatus(s.generation(), s.restarts(), s.failedReloads(), s.lastFailure(), s.inProgress(),
                retiring.size());
    }

    /**
     * Read buffers this server's requests hold now, for diagnostics: a backend read in progress
     * holds one (about one per I/O thread at most), a request body on its way to its spool file
     * up to two; 0 when nothing is read.
     */
    public int readBuffersInUse() {
        return readBuffers.inUse();
    }

    /**
     * Bytes the spool files of slow clients' responses hold now, for diagnostics: at most about
     * {@link EngineOptions#responseSpoolBytes()}; 0 when no response is spooled.
     */
    public long spooledResponseBytes() {
        return spoolBudget.kept();
    }

    /** Files the serving generation's routes keep found on disk (check-local), for tests in this package. */
    int resolvedPathsHeld() {
        return generations.current().resolvedPaths().size();
    }

    /**
     * The graceful restart (what SIGUSR1 does): replaces the serving generation with one of
     * {@code config}, keeping the listeners and every client connection; see the README for the
     * steps. A config that cannot be served (preflight problems, a listener that cannot be bound,
     * backends that cannot be spawned) leaves the old config serving.
     *
     * @return true when {@code config} serves afterwards; false with the reason in
     *         {@link #restartStatus()} and the error log
     */
    public boolean restart(ServerConfig config) {
        return restarter.restart(config);
    }

    /**
     * Parses {@code file} and restarts with it; a file that does not parse is a failed reload
     * (logged with {@code file:line:col}) and the old config keeps serving. So is a parse that
     * fails in any other way, even out of stack or memory: the parser bounds what it holds, and
     * should a bound still miss a case, the server that is serving must not go down with it.
     */
    public boolean reload(Path file) {
        long requested = System.nanoTime();
        ServerConfig config;
        try {
            config = ConfigParser.parse(file);
        } catch (ConfigException e) {
            restarter.rejected(e.getMessage());
            return false;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            restarter.rejected(file + ":1:1: the config could not be parsed: " + e);
            return false;
        }
        for (ConfigWarning warning : config.warnings()) {
            errorLog.warn("config", warning.toString());
        }
        return restarter.restart(config, requested);
    }

    /** Opens the log files again by name (SIGHUP, after logrotate moved them away). */
    public void reopenLogs() {
        try {
            errorLog.reopen();
            if (accessLog != null) {
                accessLog.reopen();
            }
            errorLog.info("server", "logfiles cycled");
        } catch (IOException e) {
            errorLog.error("server", "cannot reopen logs: " + e.getMessage());
        }
    }

    /**
     * Stops the server.
     *
     * <p>Graceful (SIGINT): the listening sockets close at once (new connections are refused),
     * requests in flight finish for up to {@code timeout} ({@link Duration#ZERO} = no limit) and
     * are aborted after it, new requests on open connections get 503 with
     * {@code Connection: close}, then the backends are stopped and reaped. Fast (SIGTERM):
     * every connection is closed at once, then the backends are stopped and reaped.
     *
     * <p>A fast stop called while a graceful one waits cuts the wait short. Returns when the
     * server has stopped (a call that only cut another one short returns at once).
     */
    public void stop(boolean graceful, Duration timeout) {
        synchronized (stopLock) {
            if (stopping) {
                if (!graceful && stopped.getCount() > 0) {
                    errorLog.info("server", "stopping now: aborting the requests still in flight");
                    abortEverything(); // also ends the drain of a restart running now
                }
                return;
            }
            stopping = true;
        }
        long started = System.nanoTime();
        errorLog.info("server", (graceful ? "graceful" : "fast") + " stop: generation "
                + generations.current().number() + " serving, " + generations.current().inFlight().count()
                + " requests in flight");
        listeners.closeListeners();
        certificateRefresh.close();
        gate.stop();
        if (!graceful) {
            abortEverything();
        }
        restarter.stop(!graceful);
        Generation current = generations.current();
        current.inFlight().close();
        if (graceful && !awaitDrained(current, timeout)) {
            int aborted = current.inFlight().abortAll();
            if (aborted > 0) {
                errorLog.warn("server", aborted + " requests still in flight after " + timeout.toSeconds()
                        + " s were aborted");
            }
        }
        retiring.awaitAll();
        current.closeIdleConnections();
        current.processes().stop();
        listeners.close();
        readBuffers.close(); // after the I/O threads, the only ones reading into them, have ended
        if (accessLog != null) {
            accessLog.close();
        }
        errorLog.info("server", "gatehouse stopped (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
                + " ms)");
        errorLog.close();
        stopped.countDown();
    }

    private void abortEverything() {
        generations.current().inFlight().abortAll();
        retiring.abortAll();
        listeners.closeConnections();
    }

    private static boolean awaitDrained(Generation generation, Duration timeout) {
        try {
            return generation.inFlight().awaitDrained(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Fast stop: closes the listeners and every connection, stops the backends. Idempotent. */
    public void stop() {
        stop(false, Duration.ZERO);
    }

    /** Waits until a stop has completed; false on timeout. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        stop();
        try {
            // close() promises everything is released when it returns, even if another thread stops.
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
