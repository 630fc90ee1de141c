package io.gatehouse.spawn;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gatehouse.spawn.internal.ChildRegistry;
import io.gatehouse.spawn.internal.InParallel;
import io.gatehouse.spawn.internal.Supervisor;

/**
 * One running bin-path backend: {@code procs} children, each serving its own listening socket
 * ({@code P-N} or {@code port+N}) inherited as fd 0, supervised until {@link #stop()}.
 *
 * <p>{@link #start} binds, spawns and checks every proc, or fails leaving nothing behind
 * ({@link #launch} then {@link #confirmStarted} do the same in two steps). After
 * that a supervisor thread notices every child's exit within 100 ms, takes the proc out of
 * rotation ({@link ProcStatus.State#DOWN}), kills what is left of its process group and respawns
 * it on the same address: at once the first time, then with a delay doubling from 250 ms up to
 * 10 s, reset after 10 s of good health. A proc whose address something else already served at
 * start is {@link ProcStatus.State#EXTERNAL}: used, never spawned or signalled.
 *
 * <pre>
 * SpawnSpec spec = SpawnSpec.builder("php", SpawnSpec.splitBinPath("/usr/bin/php-cgi"))
 *         .socket(Path.of("/run/gatehouse/php.sock")).procs(2).build();
 * try (SpawnedBackend php = SpawnedBackend.start(spec, SpawnEvents.lines(log::info), stateFile)) {
 *     SocketAddress proc0 = php.addresses().get(0);   // /run/gatehouse/php.sock-0
 *     ...
 * }   // close() = stop(): kill-signal, SIGKILL after kill-timeout, reap, unlink, verify
 * </pre>
 *
 * <p>Thread-safe: every method may be called from any thread; {@link #stop()} may race with a
 * respawn and wins (a pending respawn is cancelled, a child being spawned is stopped).
 */
public final class SpawnedBackend implements AutoCloseable {

    /**
     * How long after its spawn each child must still be alive for the start to succeed (lighttpd
     * looks after 1 ms; a missing PHP extension or a bad interpreter path takes tens of ms).
     */
    public static final Duration STARTUP_CHECK = Duration.ofMillis(150);

    private final SpawnSpec spec;
    private final Supervisor supervisor;

    private SpawnedBackend(SpawnSpec spec, Supervisor supervisor) {
        this.spec = spec;
        this.supervisor = supervisor;
    }

    /**
     * Starts {@code spec} without a state file: children are not found again if this JVM dies
     * without stopping them.
     */
    public static SpawnedBackend start(SpawnSpec spec, SpawnEvents events) throws SpawnException {
        return start(spec, events, ChildRegistry.NONE);
    }

    /**
     * Starts {@code spec}, recording every child in {@code stateFile} so that a later start can
     * kill them if this JVM dies without stopping them (see {@link StateFile}).
     *
     * @throws SpawnException with a GH-SPAWN id; nothing spawned or bound is left behind
     */
    public static SpawnedBackend start(SpawnSpec spec, SpawnEvents events, StateFile stateFile)
            throws SpawnException {
        return start(spec, events, stateFile.registry());
    }

    private static SpawnedBackend start(SpawnSpec spec, SpawnEvents events, ChildRegistry registry)
            throws SpawnException {
        SpawnedBackend backend = launch(spec, events, registry);
        backend.confirmStarted();
        return backend;
    }

    /**
     * Binds and spawns every proc of {@code spec} without waiting for the start-up check: the
     * procs are {@link ProcStatus.State#STARTING} and take requests at once (their listen queues
     * hold them until each child accepts). {@link #confirmStarted} must follow; until it returns,
     * nothing respawns a child that dies. This lets a restart release held requests while the
     * check runs instead of after it.
     *
     * @throws SpawnException with a GH-SPAWN id; nothing spawned or bound is left behind
     */
    public static SpawnedBackend launch(SpawnSpec spec, SpawnEvents events, StateFile stateFile)
            throws SpawnException {
        return launch(spec, events, stateFile.registry());
    }

    /**
     * {@link #launch}es every spec at once, each on a thread of its own: backends launched
     * together are up when the slowest one is.
     *
     * @return the backends, in the order of {@code specs}
     * @throws SpawnException the first failure (the others suppressed in it); every backend of
     *                        {@code specs} that did launch is stopped first
     */
    public static List<SpawnedBackend> launchAll(List<SpawnSpec> specs, SpawnEvents events, StateFile stateFile)
            throws SpawnException {
        List<InParallel.Task<SpawnedBackend>> launches = new ArrayList<>();
        for (SpawnSpec spec : specs) {
            launches.add(() -> launch(spec, events, stateFile));
        }
        List<InParallel.Outcome<SpawnedBackend>> outcomes = InParallel.run("gatehouse-launch", launches);
        Exception failure = InParallel.firstFailure(outcomes);
        List<SpawnedBackend> launched = new ArrayList<>();
        for (InParallel.Outcome<SpawnedBackend> outcome : outcomes) {
            if (!outcome.failed()) {
                launched.add(outcome.value());
            }
        }
        if (failure != null) {
            stopAll(launched);
            throw InParallel.rethrow(failure);
        }
        return launched;
    }

    /**
     * {@link #stop()}s every backend at once, each on a thread of its own: a restart waits for
     * the slowest backend's children to exit, not for the sum.
     *
     * @return the reports, in the order of {@code backends}
     */
    public static List<StopReport> stopAll(List<SpawnedBackend> backends) {
        List<InParallel.Task<StopReport>> stops = new ArrayList<>();
        for (SpawnedBackend backend : backends) {
            stops.add(backend::stop);
        }
        List<StopReport> reports = new ArrayList<>();
        for (InParallel.Outcome<StopReport> outcome : InParallel.run("gatehouse-stop", stops)) {
            // stop() reports its problems instead of throwing; an exception here is a bug, not a stop.
            if (outcome.failed()) {
                throw new IllegalStateException("stopping a backend failed: " + outcome.failure(), outcome.failure());
            }
            reports.add(outcome.value());
        }
        return reports;
    }

    private static SpawnedBackend launch(SpawnSpec spec, SpawnEvents events, ChildRegistry registry)
            throws SpawnException {
        Supervisor supervisor = new Supervisor(spec, events, registry);
        supervisor.launch();
        return new SpawnedBackend(spec, supervisor);
    }

    /**
     * The start-up check of a {@link #launch}ed backend, to the end of its window counted from the
     * spawn (so backends launched together are checked in one window); then supervision begins.
     *
     * @throws SpawnException (GH-SPAWN-003) when a child died during the window; every child of
     *                        this backend is then stopped and its socket unlinked
     */
    public void confirmStarted() throws SpawnException {
        supervisor.confirmStarted();
    }

    public SpawnSpec spec() {
        return spec;
    }

    public String label() {
        return spec.label();
    }

    /**
     * One address per proc, index = proc number: {@link java.net.UnixDomainSocketAddress} of the
     * absolute path {@code P-N}, or {@link java.net.InetSocketAddress} with port {@code port+N}.
     */
    public List<SocketAddress> addresses() {
        return supervisor.addresses();
    }

    /** True when proc {@code proc} is {@link ProcStatus.State#RUNNING} or {@link ProcStatus.State#EXTERNAL}. */
    public boolean isAvailable(int proc) {
        return supervisor.isAvailable(proc);
    }

    /** The pid of proc {@code proc}'s current child, 0 while it has none. */
    public long pid(int proc) {
        return supervisor.pid(proc);
    }

    /**
     * Waits until at least one proc is available, for requests that arrive while every proc is
     * down. Returns false on timeout or when the backend is stopped.
     */
    public boolean awaitAnyAvailable(Duration timeout) throws InterruptedException {
        return supervisor.awaitAnyAvailable(timeout);
    }

    /** A snapshot of every proc, index = proc number. */
    public List<ProcStatus> status() {
        return supervisor.status();
    }

    /**
     * Stops supervision and every child: kill-signal to each child's process group, SIGKILL to
     * the groups still alive after kill-timeout, reap, unlink every socket file we bound, verify.
     * Idempotent: later calls return the first report at once. Blocks for at most kill-timeout
     * plus about two seconds.
     */
    public StopReport stop() {
        return supervisor.stop();
    }

    /** Same as {@link #stop()}; the report is dropped. */
    @Override
    public void close() {
        stop();
    }
}
