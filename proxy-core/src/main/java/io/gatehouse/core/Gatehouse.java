package io.gatehouse.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.gateway.BackendHost;
import io.gatehouse.core.internal.gateway.GatewayHandler;
import io.gatehouse.core.internal.gateway.Watchdog;
import io.gatehouse.core.internal.log.AccessLog;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.server.BackendProcesses;
import io.gatehouse.core.internal.server.GatewayExecutors;
import io.gatehouse.core.internal.server.Generation;
import io.gatehouse.core.internal.server.GenerationHolder;
import io.gatehouse.core.internal.server.ListenerSet;
import io.gatehouse.core.internal.server.RequestDispatcher;
import io.gatehouse.spawn.ProcStatus;

/**
 * A running gatehouse server: HTTP listeners in front of the FastCGI/SCGI backends of one
 * {@link ServerConfig}. This is the API a JVM service embeds; the command line is a thin shell
 * over it.
 *
 * <pre>{@code
 * ServerConfig config = ConfigParser.parse(Path.of("/etc/gatehouse/gatehouse.conf"));
 * try (Gatehouse server = Gatehouse.start(config)) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Gatehouse implements AutoCloseable {

    private final ServerConfig config;
    private final ErrorLog errorLog;
    private final AccessLog accessLog;
    private final Watchdog watchdog;
    private final ExecutorService gatewayThreads;
    private final ExecutorService bodyWriters;
    private final GenerationHolder generations;
    private final BackendProcesses processes;
    private final ListenerSet listeners;
    private boolean stopped;

    private Gatehouse(ServerConfig config, ErrorLog errorLog, AccessLog accessLog, Watchdog watchdog,
            ExecutorService gatewayThreads, ExecutorService bodyWriters, GenerationHolder generations,
            BackendProcesses processes, ListenerSet listeners) {
        this.config = config;
        this.errorLog = errorLog;
        this.accessLog = accessLog;
        this.watchdog = watchdog;
        this.gatewayThreads = gatewayThreads;
        this.bodyWriters = bodyWriters;
        this.generations = generations;
        this.processes = processes;
        this.listeners = listeners;
    }

    /**
     * Opens the logs, spawns the bin-path backends, binds the listeners and starts serving
     * {@code config}.
     *
     * @throws IOException when a log cannot be opened, a backend cannot be spawned or a listener
     *                     cannot be bound; nothing is left open or running then
     */
    public static Gatehouse start(ServerConfig config) throws IOException {
        ErrorLog errorLog = ErrorLog.open(config.errorLog());
        AccessLog accessLog = null;
        Watchdog watchdog = null;
        ExecutorService gatewayThreads = null;
        ExecutorService bodyWriters = null;
        BackendProcesses processes = null;
        try {
            accessLog = config.accessLog().isPresent()
                    ? new AccessLog(config.accessLog().get(), config.accessLogFormat()) : null;
            processes = BackendProcesses.start(config, errorLog);
            GenerationHolder generations = new GenerationHolder(Generation.of(config, processes));
            watchdog = new Watchdog();
            gatewayThreads = GatewayExecutors.create("gatehouse-gateway");
            bodyWriters = GatewayExecutors.create("gatehouse-body");
            GatewayHandler gateway = new GatewayHandler(watchdog, errorLog, bodyWriters, config.serverTag(),
                    config.maxRequestSizeBytes());
            ExecutorService executor = gatewayThreads;
            AccessLog access = accessLog;
            ListenerSet listeners = ListenerSet.bind(config.listeners(),
                    listener -> new RequestDispatcher(generations, gateway, executor, access, listener));
            Gatehouse server = new Gatehouse(config, errorLog, accessLog, watchdog, gatewayThreads, bodyWriters,
                    generations, processes, listeners);
            errorLog.info("server", "gatehouse " + Version.get() + " started, listening on "
                    + listeners.addresses() + (GatewayExecutors.usesVirtualThreads() ? " (virtual threads)" : ""));
            return server;
        } catch (IOException | RuntimeException e) {
            if (processes != null) {
                processes.stop();
            }
            shutdown(gatewayThreads);
            shutdown(bodyWriters);
            if (watchdog != null) {
                watchdog.close();
            }
            if (accessLog != null) {
                accessLog.close();
            }
            errorLog.close();
            throw e;
        }
    }

    public ServerConfig config() {
        return config;
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
     * A read-only snapshot of every backend host (each child of a bin-path backend is one):
     * requests in flight and served, and for children their pid, state, restarts and last exit.
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

    /** Closes the listeners and every connection, and releases all threads and logs. Idempotent. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        listeners.close();
        processes.stop();
        shutdown(gatewayThreads);
        shutdown(bodyWriters);
        watchdog.close();
        if (accessLog != null) {
            accessLog.close();
        }
        errorLog.info("server", "gatehouse stopped");
        errorLog.close();
    }

    @Override
    public void close() {
        stop();
    }

    private static void shutdown(ExecutorService executor) {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
