package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.gatehouse.spawn.SpawnEvent;

/**
 * Deals with a child that exited without being asked to: kills what is left of its process group
 * (php-cgi workers would otherwise keep serving a socket nobody connects to any more, or keep a
 * TCP port the respawn needs), reaps it and removes it from the state file. It runs while the
 * child is still an unreaped zombie, so the group id cannot have been reused by then.
 *
 * <p>Not thread-safe: used by one thread at a time, like the {@link ChildWaits} it is given.
 */
final class ExitCollector {

    /** SIGKILL takes effect within milliseconds; this bounds the wait for a stuck (state D) process. */
    static final long GROUP_DEATH_WAIT_MILLIS = 500;
    private static final long POLL_MILLIS = 2;

    private final ChildWaits waits;
    private final ChildRegistry registry;
    private final EventSink events;
    private final ProcLauncher launcher;

    ExitCollector(ChildWaits waits, ChildRegistry registry, EventSink events, ProcLauncher launcher) {
        this.waits = waits;
        this.registry = registry;
        this.events = events;
        this.launcher = launcher;
    }

    /** Cleans up after child {@code pid} of proc {@code proc}, which has exited; returns its status. */
    Optional<WaitStatus> collect(int proc, long pid) {
        List<Long> leftovers = ProcFs.liveGroupMembers(pid);
        if (!leftovers.isEmpty()) {
            waits.signalGroup(pid, NativeLib.SIGKILL);
            List<Long> survivors = awaitGroupGone(pid);
            events.emit(SpawnEvent.Kind.GROUP_KILLED, proc, pid, launcher.addressText(proc),
                    "SIGKILL to what the dead child left in its process group: " + leftovers
                            + (survivors.isEmpty() ? "" : "; still alive after " + GROUP_DEATH_WAIT_MILLIS
                            + " ms: " + survivors));
        }
        Optional<WaitStatus> status = waits.reap(pid);
        try {
            registry.forgotten(pid);
        } catch (IOException e) {
            events.emit(SpawnEvent.Kind.WARNING, proc, pid, launcher.addressText(proc),
                    "GH-SPAWN-009 cannot update the state file: " + e);
        }
        return status;
    }

    private static List<Long> awaitGroupGone(long pid) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GROUP_DEATH_WAIT_MILLIS);
        List<Long> alive = ProcFs.liveGroupMembers(pid);
        while (!alive.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return alive;
            }
            alive = ProcFs.liveGroupMembers(pid);
        }
        return alive;
    }
}
