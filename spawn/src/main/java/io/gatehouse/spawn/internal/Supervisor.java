package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.gatehouse.spawn.ProcStatus;
import io.gatehouse.spawn.SpawnEvent;
import io.gatehouse.spawn.SpawnEvents;
import io.gatehouse.spawn.SpawnException;
import io.gatehouse.spawn.SpawnSpec;
import io.gatehouse.spawn.StopReport;

/**
 * Runs one backend's procs: starts them, then on one daemon thread polls each own child with
 * {@code waitid(pid, WNOWAIT)} every {@link #POLL_MILLIS} ms (never {@code waitpid(-1)}), takes a
 * dead proc out of rotation, kills what is left of its process group, reaps it and respawns it
 * on the same address with {@link Backoff}. Polling rather than a blocked waiter per child keeps
 * one thread per backend and lets the same loop run the respawn timers.
 *
 * <p>Thread-safe: slot state is guarded by this object's monitor; only the supervisor thread
 * changes it while running, and {@link #stop} takes over after that thread has ended.
 */
public final class Supervisor {

    /** Exits are noticed within this plus a little scheduling delay: well under 100 ms. */
    static final long POLL_MILLIS = 20;
    /** The supervisor thread finishes a respawn in far less; waiting longer means it is stuck. */
    private static final long JOIN_LIMIT_MILLIS = 30_000;

    private final NativeLib lib;
    private final SpawnSpec spec;
    private final ProcLauncher launcher;
    private final ChildRegistry registry;
    private final EventSink events;
    private final List<ProcSlot> slots = new ArrayList<>();
    private final Object stopLock = new Object();
    private final ChildWaits waits;
    private final ExitCollector exits;
    private boolean stopping;
    private long launchedNanos;
    private volatile Thread thread;
    private StopReport stopReport;

    public Supervisor(SpawnSpec spec, SpawnEvents listener, ChildRegistry registry) throws SpawnException {
        this.lib = NativeLib.get();
        this.spec = spec;
        this.events = new EventSink(spec.label(), listener);
        this.launcher = new ProcLauncher(lib, spec, System.getenv(), events);
        this.registry = registry;
        this.waits = new ChildWaits(lib);
        this.exits = new ExitCollector(waits, registry, events, launcher);
        for (int n = 0; n < spec.procs(); n++) {
            slots.add(new ProcSlot(n, launcher.addressText(n), launcher.socketPath(n)));
        }
    }

    public List<SocketAddress> addresses() {
        return launcher.addresses();
    }

    /**
     * Binds and spawns every proc. They are {@link ProcStatus.State#STARTING} and already take
     * requests: a child that has not reached accept() yet finds them in its listen queue. On any
     * failure everything spawned so far is stopped and unlinked before the exception propagates.
     * {@link #confirmStarted} must follow.
     */
    public void launch() throws SpawnException {
        List<InParallel.Task<Void>> launches = new ArrayList<>();
        for (ProcSlot slot : slots) {
            launches.add(() -> {
                launchInto(slot, ProcStatus.State.STARTING);
                return null;
            });
        }
        // In parallel: a backend of several procs is up when its slowest proc is.
        Exception failure = InParallel.firstFailure(InParallel.run("gatehouse-spawn-" + spec.label(), launches));
        if (failure != null) {
            stopAfter(failure);
            throw InParallel.rethrow(failure);
        }
        launchedNanos = System.nanoTime();
    }

    /**
     * The start-up check, to the end of its window counted from {@link #launch}: a child that
     * died by then fails the start, and every child is stopped; otherwise supervision begins.
     */
    public void confirmStarted() throws SpawnException {
        try {
            Optional<StartupCheck.Death> death = StartupCheck.firstExit(waits, startingPids(),
                    launchedNanos + StartupCheck.WINDOW_NANOS);
            if (death.isPresent()) {
                Optional<WaitStatus> status = exits.collect(death.get().proc(), death.get().pid());
                synchronized (this) {
                    ProcSlot slot = slots.get(death.get().proc());
                    slot.state = ProcStatus.State.DOWN;
                    slot.pid = 0;
                    slot.lastExit = describe(status);
                }
                events.emit(SpawnEvent.Kind.EXITED, death.get().proc(), death.get().pid(),
                        launcher.addressText(death.get().proc()), describe(status) + " during the start-up check");
                throw StartupCheck.failure(launcher, spec, death.get(), status);
            }
        } catch (SpawnException | RuntimeException e) {
            stopAfter(e);
            throw e;
        }
        synchronized (this) {
            for (ProcSlot slot : slots) {
                if (slot.state == ProcStatus.State.STARTING) {
                    slot.state = ProcStatus.State.RUNNING;
                }
            }
            notifyAll();
        }
        thread = new Thread(this::run, "gatehouse-spawn-" + spec.label());
        thread.setDaemon(true);
        thread.start();
    }

    /** Whatever went wrong, nothing started so far may outlive the failed start. */
    private void stopAfter(Exception failure) {
        StopReport cleanup = stop();
        if (!cleanup.verified()) {
            failure.addSuppressed(new SpawnException(cleanup.summary()));
        }
    }

    private synchronized Map<Integer, Long> startingPids() {
        Map<Integer, Long> pids = new TreeMap<>();
        for (ProcSlot slot : slots) {
            if (slot.state == ProcStatus.State.STARTING) {
                pids.put(slot.number, slot.pid);
            }
        }
        return pids;
    }

    public synchronized List<ProcStatus> status() {
        List<ProcStatus> snapshot = new ArrayList<>(slots.size());
        slots.forEach(slot -> snapshot.add(slot.snapshot()));
        return snapshot;
    }

    public synchronized boolean isAvailable(int proc) {
        // Asked on every request's host pick: read the state, build no snapshot.
        return ProcStatus.isAvailable(slots.get(proc).state);
    }

    public synchronized long pid(int proc) {
        return slots.get(proc).pid;
    }

    public boolean awaitAnyAvailable(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                for (ProcSlot slot : slots) {
                    if (slot.snapshot().available()) {
                        return true;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || stopping) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    private void run() {
        while (true) {
            long now = System.nanoTime();
            long nextWakeNanos = TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
            for (ProcSlot slot : slots) {
                ProcStatus.State state;
                long pid;
                long respawnAt;
                synchronized (this) {
                    if (stopping) {
                        return;
                    }
                    state = slot.state;
                    pid = slot.pid;
                    respawnAt = slot.respawnAtNanos;
                }
                try {
                    if (state == ProcStatus.State.RUNNING && waits.hasExited(pid)) {
                        handleExit(slot, pid);
                    } else if (state == ProcStatus.State.DOWN) {
                        if (respawnAt - now <= 0) {
                            respawn(slot);
                        } else {
                            nextWakeNanos = Math.min(nextWakeNanos, respawnAt - now);
                        }
                    }
                } catch (RuntimeException e) {
                    events.emit(SpawnEvent.Kind.WARNING, slot.number, pid, slot.address, "supervision error: " + e);
                }
            }
            synchronized (this) {
                if (stopping) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, Math.max(nextWakeNanos, TimeUnit.MILLISECONDS.toNanos(1)));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void handleExit(ProcSlot slot, long pid) {
        String how = describe(exits.collect(slot.number, pid));
        long now = System.nanoTime();
        long up;
        long delay;
        synchronized (this) {
            up = now - slot.upSinceNanos;
            delay = slot.backoff.delayAfterExit(up);
            slot.state = ProcStatus.State.DOWN;
            slot.pid = 0;
            slot.lastExit = how;
            slot.respawnAtNanos = now + delay;
            notifyAll();
        }
        events.emit(SpawnEvent.Kind.EXITED, slot.number, pid, slot.address,
                how + " after " + TimeUnit.NANOSECONDS.toMillis(up) + " ms");
        events.emit(SpawnEvent.Kind.RESPAWN_SCHEDULED, slot.number, 0, slot.address,
                "in " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
    }

    private static String describe(Optional<WaitStatus> status) {
        return status.map(WaitStatus::describe).orElse("exit status unknown: reaped elsewhere");
    }

    private void respawn(ProcSlot slot) {
        long oldInode;
        synchronized (this) {
            oldInode = slot.socketInode;
            slot.socketInode = 0;
        }
        if (oldInode != 0 && slot.socketPath.isPresent()) {
            try {
                SocketFiles.unlinkIfOurs(slot.socketPath.get(), oldInode);
            } catch (IOException e) {
                events.emit(SpawnEvent.Kind.WARNING, slot.number, 0, slot.address, "cannot unlink old socket: " + e);
            }
        }
        try {
            launchInto(slot, ProcStatus.State.RUNNING);
        } catch (SpawnException | RuntimeException e) {
            long delay = slot.backoff.delayAfterExit(0);
            synchronized (this) {
                slot.respawnAtNanos = System.nanoTime() + delay;
            }
            String why = e instanceof SpawnException ? e.getMessage() : e.toString();
            events.emit(SpawnEvent.Kind.RESPAWN_FAILED, slot.number, 0, slot.address,
                    why + "; next attempt in " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
        }
    }

    /** Launches proc {@code slot.number}; a spawned child enters {@code state}. */
    private void launchInto(ProcSlot slot, ProcStatus.State state) throws SpawnException {
        ProcLauncher.Launch launch = launcher.launch(slot.number);
        if (launch instanceof ProcLauncher.Spawned spawned) {
            synchronized (this) {
                if (state == ProcStatus.State.RUNNING) {
                    slot.restarts++;
                }
                slot.state = state;
                slot.pid = spawned.pid();
                slot.startTime = spawned.startTime();
                slot.socketInode = spawned.socketInode();
                slot.upSinceNanos = System.nanoTime();
                notifyAll();
            }
            events.emit(SpawnEvent.Kind.SPAWNED, slot.number, spawned.pid(), slot.address,
                    String.join(" ", spec.argv()));
            try {
                registry.recorded(new ChildRecord(spec.label(), slot.number, spawned.pid(), spawned.startTime(),
                        spec.killSignal(), spec.killTimeout().toMillis(),
                        slot.socketPath.map(Object::toString).orElse(""), spawned.socketInode()));
            } catch (IOException e) {
                events.emit(SpawnEvent.Kind.WARNING, slot.number, spawned.pid(), slot.address,
                        "GH-SPAWN-009 cannot update the state file: " + e);
            }
        } else {
            synchronized (this) {
                slot.state = ProcStatus.State.EXTERNAL;
                slot.pid = 0;
                slot.socketInode = 0;
                notifyAll();
            }
        }
    }

    /**
     * Stops supervising, then stops every child and unlinks every socket we bound. Idempotent:
     * later calls return the first report.
     */
    public StopReport stop() {
        synchronized (stopLock) {
            if (stopReport != null) {
                return stopReport;
            }
            synchronized (this) {
                stopping = true;
                notifyAll();
            }
            List<String> joinProblems = joinSupervisor();
            List<GroupStopper.Target> targets = new ArrayList<>();
            List<GroupStopper.OwnedSocket> sockets = new ArrayList<>();
            synchronized (this) {
                for (ProcSlot slot : slots) {
                    if (slot.pid != 0) {
                        targets.add(new GroupStopper.Target(slot.number, slot.pid, slot.address));
                    }
                    if (slot.socketInode != 0 && slot.socketPath.isPresent()) {
                        sockets.add(new GroupStopper.OwnedSocket(slot.number, slot.socketPath.get(), slot.socketInode));
                    }
                }
            }
            GroupStopper stopper = new GroupStopper(lib, spec.label(), spec.killSignal(), spec.killTimeout(),
                    registry, events);
            StopReport report = stopper.stop(targets, sockets);
            synchronized (this) {
                for (ProcSlot slot : slots) {
                    String exit = stopper.exits().get(slot.pid);
                    if (exit != null) {
                        slot.lastExit = exit;
                    }
                    slot.state = ProcStatus.State.STOPPED;
                    slot.pid = 0;
                    slot.socketInode = 0;
                }
                notifyAll();
            }
            if (!joinProblems.isEmpty()) {
                List<String> problems = new ArrayList<>(joinProblems);
                problems.addAll(report.problems());
                report = new StopReport(report.label(), report.signalled(), report.escalated(), problems,
                        report.elapsed());
            }
            stopReport = report;
            return report;
        }
    }

    private List<String> joinSupervisor() {
        if (thread == null || thread == Thread.currentThread()) {
            return List.of();
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_LIMIT_MILLIS);
        while (thread.isAlive() && System.nanoTime() - deadline < 0) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return thread.isAlive() ? List.of("GH-SPAWN-008 backend \"" + spec.label() + "\": the supervisor thread did"
                + " not end within " + JOIN_LIMIT_MILLIS + " ms; stopping its children anyway") : List.of();
    }
}
