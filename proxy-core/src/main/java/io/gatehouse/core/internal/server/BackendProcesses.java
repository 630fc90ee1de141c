package io.gatehouse.core.internal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.common.hash.Hashing;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.spawn.ProcStatus;
import io.gatehouse.spawn.RuntimeDirectory;
import io.gatehouse.spawn.SpawnEvents;
import io.gatehouse.spawn.SpawnException;
import io.gatehouse.spawn.SpawnSpec;
import io.gatehouse.spawn.SpawnedBackend;
import io.gatehouse.spawn.StateFile;
import io.gatehouse.spawn.StopReport;

/**
 * The {@code bin-path} backends of one generation, spawned and supervised by the spawn module:
 * one {@link SpawnedBackend} per backend, with {@code max-procs} children each.
 *
 * <p>A backend with {@code "restart-mode" => "overlap"} and a unix socket is spawned on
 * {@code <socket>-<generation>-<N>} so that two generations can run side by side; any other
 * backend uses lighttpd's {@code <socket>-<N>} (or {@code port+N}) in every generation.
 *
 * <p>Children that a previous gatehouse left behind (it was killed with SIGKILL) are found through
 * one {@link StateFile} per server process ({@link ServerStateFile}), which every generation shares.
 *
 * <p>Thread-safe for reads after {@link #start}; {@link #stop()} is idempotent.
 */
public final class BackendProcesses {

    private final Map<BackendConfig, SpawnedBackend> spawned;
    private final ErrorLog errorLog;
    private StopReportSummary stopped;

    private BackendProcesses(Map<BackendConfig, SpawnedBackend> spawned, ErrorLog errorLog) {
        this.spawned = spawned;
        this.errorLog = errorLog;
    }

    /** What {@link #stop()} found: every child gone and every socket unlinked, or not. */
    public record StopReportSummary(int backends, boolean verified) {
    }

    /**
     * The state file of a server started with {@code config}, with the leftovers of a previous
     * run of the same config stopped when {@code config} has bin-path backends. A server process
     * gets its one state file through {@link ServerStateFile}.
     *
     * @throws IOException naming the cause (a GH-SPAWN id)
     */
    static StateFile stateFileFor(ServerConfig config, ErrorLog errorLog, Map<String, String> environment)
            throws IOException {
        return openStateFile(config, errorLog, environment,
                config.allBackends().stream().anyMatch(BackendConfig::isSpawned));
    }

    /** The state file named after {@code identity}, its leftovers stopped first when {@code reap}. */
    static StateFile openStateFile(ServerConfig identity, ErrorLog errorLog, Map<String, String> environment,
            boolean reap) throws IOException {
        try {
            StateFile state = StateFile.at(stateFile(identity, environment));
            if (!reap) {
                return state;
            }
            StateFile.LeftoverReport leftovers = state.reapLeftovers(events(errorLog));
            if (!leftovers.killed().isEmpty()) {
                errorLog.warn("spawn", "stopped " + leftovers.killed().size() + " children left by a previous run: "
                        + leftovers.killed());
            }
            return state;
        } catch (SpawnException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static SpawnEvents events(ErrorLog errorLog) {
        return SpawnEvents.lines(line -> errorLog.info("spawn", line));
    }

    /**
     * Spawns every bin-path backend of {@code config} for generation {@code generation} and runs
     * their start-up check; on failure nothing stays running.
     *
     * @throws IOException naming the backend and the cause (a GH-SPAWN id)
     */
    public static BackendProcesses start(ServerConfig config, long generation, ServerStateFile state,
            ErrorLog errorLog) throws IOException {
        BackendProcesses processes = launch(config, generation, state, errorLog);
        processes.confirmStarted();
        return processes;
    }

    /**
     * Binds and spawns every bin-path backend of {@code config}, all at once, without waiting
     * for their start-up check: they take requests at once, queued by the kernel until each child
     * accepts. {@link #confirmStarted} must follow. On failure nothing stays running.
     *
     * @throws IOException naming the backend and the cause (a GH-SPAWN id)
     */
    public static BackendProcesses launch(ServerConfig config, long generation, ServerStateFile state,
            ErrorLog errorLog) throws IOException {
        List<BackendConfig> backends = new ArrayList<>();
        List<SpawnSpec> specs = new ArrayList<>();
        for (BackendConfig backend : config.allBackends()) {
            if (backend.isSpawned()) {
                backends.add(backend);
                specs.add(specOf(backend, config, generation));
            }
        }
        Map<BackendConfig, SpawnedBackend> spawned = new LinkedHashMap<>();
        if (specs.isEmpty()) {
            return new BackendProcesses(spawned, errorLog);
        }
        try {
            // All at once: on failure launchAll has stopped every one it launched.
            List<SpawnedBackend> launched = SpawnedBackend.launchAll(specs, events(errorLog), state.get());
            for (int i = 0; i < backends.size(); i++) {
                spawned.put(backends.get(i), launched.get(i));
            }
            return new BackendProcesses(spawned, errorLog);
        } catch (SpawnException | RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * The start-up check of every backend {@link #launch}ed together, in one window counted from
     * their spawn (about 150 ms in all, not per backend); then they are supervised. On failure
     * every backend is stopped.
     *
     * @throws IOException naming the backend whose child died, and how (GH-SPAWN-003)
     */
    public void confirmStarted() throws IOException {
        try {
            for (SpawnedBackend backend : spawned.values()) {
                backend.confirmStarted();
            }
        } catch (SpawnException | RuntimeException e) {
            stop();
            throw new IOException(e.getMessage(), e);
        }
    }

    /** A generation without children (its backends could not be spawned). */
    public static BackendProcesses none(ErrorLog errorLog) {
        return new BackendProcesses(new LinkedHashMap<>(), errorLog);
    }

    /** True when {@code backend} is spawned on per-generation paths (overlap restarts). */
    public static boolean overlaps(BackendConfig backend) {
        return backend.isSpawned() && backend.restartMode().equals("overlap") && backend.socket().isPresent();
    }

    /**
     * Beside the pid file when there is one, else in the {@link RuntimeDirectory}, named after the
     * config file (or the listeners of a config built in code). Never in a shared directory: the
     * next start kills the processes the file names, so a file another user could plant or swap
     * would let them choose what root kills; reading refuses any directory others can write.
     */
    static Path stateFile(ServerConfig config, Map<String, String> environment) throws SpawnException {
        if (config.pidFile().isPresent()) {
            Path pid = config.pidFile().get();
            return pid.resolveSibling(pid.getFileName() + ".children");
        }
        String identity = config.source().map(p -> p.toAbsolutePath().normalize().toString())
                .orElse(config.listeners().toString());
        String digest = Hashing.sha256().hashString(identity, StandardCharsets.UTF_8).toString().substring(0, 16);
        Path runtime = RuntimeDirectory.resolve(environment, Path.of(System.getProperty("java.io.tmpdir")));
        return runtime.resolve("gatehouse-" + digest + ".children");
    }

    private static SpawnSpec specOf(BackendConfig backend, ServerConfig config, long generation) {
        SpawnSpec.Builder spec = SpawnSpec.builder(backend.label(), backend.binPath().orElseThrow())
                .environment(backend.binEnvironment())
                .copyEnvironment(backend.binCopyEnvironment())
                .procs(backend.maxProcs())
                .backlog(backend.listenBacklog())
                .killSignal(backend.killSignal())
                .killTimeout(backend.killTimeout());
        if (overlaps(backend)) {
            Path socket = backend.socket().get();
            spec.socket(socket.resolveSibling(socket.getFileName() + "-" + generation));
        } else if (backend.socket().isPresent()) {
            spec.socket(backend.socket().get());
        } else {
            spec.tcp(new InetSocketAddress(backend.host().orElse("127.0.0.1"), backend.port()));
        }
        config.breakageLog().ifPresent(spec::stderrFile);
        return spec.build();
    }

    /** The children of {@code backend}, or null when it is not a bin-path backend. */
    public SpawnedBackend of(BackendConfig backend) {
        return spawned.get(backend);
    }

    public Map<BackendConfig, SpawnedBackend> all() {
        return spawned;
    }

    /** The pids of every child running now. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (SpawnedBackend backend : spawned.values()) {
            for (ProcStatus proc : backend.status()) {
                if (proc.pid() > 0) {
                    pids.add(proc.pid());
                }
            }
        }
        return pids;
    }

    /**
     * Stops every child: kill-signal to its process group, SIGKILL after kill-timeout, reaped,
     * socket paths unlinked, all verified. Backends stop in parallel, so a restart waits for the
     * slowest one, not for the sum. Problems are logged. Idempotent.
     */
    public synchronized StopReportSummary stop() {
        if (stopped != null) {
            return stopped;
        }
        boolean allVerified = true;
        for (StopReport report : SpawnedBackend.stopAll(List.copyOf(spawned.values()))) {
            if (report.verified()) {
                errorLog.info("spawn", report.summary());
            } else {
                allVerified = false;
                errorLog.error("spawn", report.summary());
            }
        }
        stopped = new StopReportSummary(spawned.size(), allVerified);
        return stopped;
    }
}
