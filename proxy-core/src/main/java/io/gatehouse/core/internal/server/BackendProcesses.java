package io.gatehouse.core.internal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.common.hash.Hashing;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.spawn.SpawnEvents;
import io.gatehouse.spawn.SpawnException;
import io.gatehouse.spawn.SpawnSpec;
import io.gatehouse.spawn.SpawnedBackend;
import io.gatehouse.spawn.StateFile;
import io.gatehouse.spawn.StopReport;

/**
 * The {@code bin-path} backends of one config, spawned and supervised by the spawn module: one
 * {@link SpawnedBackend} per backend, with {@code max-procs} children each.
 *
 * <p>Before spawning, children that a previous gatehouse for the same config left behind (it was
 * killed with SIGKILL) are found through a state file and stopped: the file lives beside
 * {@code server.pid-file} ({@code <pid-file>.children}), or in {@code java.io.tmpdir} under a name
 * derived from the config file's path.
 *
 * <p>Thread-safe for reads after {@link #start}; {@link #stop()} is idempotent.
 */
public final class BackendProcesses {

    private final Map<BackendConfig, SpawnedBackend> spawned;
    private final ErrorLog errorLog;

    private BackendProcesses(Map<BackendConfig, SpawnedBackend> spawned, ErrorLog errorLog) {
        this.spawned = spawned;
        this.errorLog = errorLog;
    }

    /**
     * Spawns every bin-path backend of {@code config}; on failure nothing stays running.
     *
     * @throws IOException naming the backend and the cause (a GH-SPAWN id)
     */
    public static BackendProcesses start(ServerConfig config, ErrorLog errorLog) throws IOException {
        Map<BackendConfig, SpawnedBackend> spawned = new LinkedHashMap<>();
        BackendProcesses processes = new BackendProcesses(spawned, errorLog);
        List<BackendConfig> toSpawn = config.allBackends().stream().filter(BackendConfig::isSpawned).toList();
        if (toSpawn.isEmpty()) {
            return processes;
        }
        SpawnEvents events = SpawnEvents.lines(line -> errorLog.info("spawn", line));
        StateFile state = StateFile.at(stateFile(config));
        try {
            StateFile.LeftoverReport leftovers = state.reapLeftovers(events);
            if (!leftovers.killed().isEmpty()) {
                errorLog.warn("spawn", "stopped " + leftovers.killed().size() + " children left by a previous run: "
                        + leftovers.killed());
            }
            for (BackendConfig backend : toSpawn) {
                spawned.put(backend, SpawnedBackend.start(specOf(backend, config), events, state));
            }
            return processes;
        } catch (SpawnException | RuntimeException e) {
            processes.stop();
            throw new IOException(e.getMessage(), e);
        }
    }

    static Path stateFile(ServerConfig config) {
        if (config.pidFile().isPresent()) {
            Path pid = config.pidFile().get();
            return pid.resolveSibling(pid.getFileName() + ".children");
        }
        String identity = config.source().map(p -> p.toAbsolutePath().normalize().toString())
                .orElse(config.listeners().toString());
        String digest = Hashing.sha256().hashString(identity, StandardCharsets.UTF_8).toString().substring(0, 16);
        return Path.of(System.getProperty("java.io.tmpdir"),
                "gatehouse-" + System.getProperty("user.name") + "-" + digest + ".children");
    }

    private static SpawnSpec specOf(BackendConfig backend, ServerConfig config) {
        SpawnSpec.Builder spec = SpawnSpec.builder(backend.label(), backend.binPath().orElseThrow())
                .environment(backend.binEnvironment())
                .copyEnvironment(backend.binCopyEnvironment())
                .procs(backend.maxProcs())
                .backlog(backend.listenBacklog())
                .killSignal(backend.killSignal())
                .killTimeout(backend.killTimeout());
        if (backend.socket().isPresent()) {
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

    /**
     * Stops every child: kill-signal to its process group, SIGKILL after kill-timeout, reaped,
     * socket paths unlinked, all verified. Problems are logged.
     */
    public synchronized void stop() {
        for (SpawnedBackend backend : spawned.values()) {
            StopReport report = backend.stop();
            if (report.verified()) {
                errorLog.info("spawn", report.summary());
            } else {
                errorLog.error("spawn", report.summary());
            }
        }
    }
}
