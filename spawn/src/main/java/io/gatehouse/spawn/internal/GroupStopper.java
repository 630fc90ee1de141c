package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import io.gatehouse.spawn.SpawnEvent;
import io.gatehouse.spawn.StopReport;

/**
 * Stops the children of one backend: kill-signal to each child's process group, wait up to
 * kill-timeout for the group to be empty, SIGKILL to the groups still populated, reap every child,
 * unlink every socket file we bound, then verify that no group member is alive and no such file
 * is left. The whole group matters: php-cgi's master exits on SIGTERM without waiting for its
 * workers, and a SIGKILL to the master alone leaves the workers serving as orphans. The wait
 * wakes at each exit of a leader or a member it knows of ({@link ExitWatch}); it looks again
 * every {@link #POLL_MILLIS} ms while a process it waits for cannot be watched, else every 25 ms.
 *
 * <p>Not thread-safe: one stop per instance, on one thread.
 */
final class GroupStopper {

    /** SIGKILL cannot be caught; this only covers the scheduler and a slow /proc. */
    static final long AFTER_KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /**
     * How often the end of a process that cannot be watched is looked for: a restart holds
     * requests while its backends stop. A look costs one waitid and one kill(pgid, 0) until the
     * group seems empty.
     */
    private static final long POLL_MILLIS = 2;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
    /**
     * How often the group is looked at while every process waited for is watched: a member that
     * leaves the group without exiting (setsid) wakes no pidfd.
     */
    private static final long WATCHED_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    record Target(int proc, long pid, String address) {
    }

    record OwnedSocket(int proc, Path path, long inode) {
    }

    /** Progress of one child: leader reaped, group empty. */
    private static final class Progress {
        final Target target;
        String exit;
        /** The group's live members once the leader is reaped and zombies keep the group id in use. */
        List<Long> members;
        /** Made at the first look for {@link #members}. */
        GroupMembers listing;

        Progress(Target target) {
            this.target = target;
        }
    }

    private final String label;
    private final int killSignal;
    private final Duration killTimeout;
    private final ChildWaits waits;
    private final ExitWatch exitWatch;
    private final ChildRegistry registry;
    private final EventSink events;
    private final Map<Long, String> exits = new HashMap<>();

    GroupStopper(NativeLib lib, String label, int killSignal, Duration killTimeout, ChildRegistry registry,
                 EventSink events) {
        this.label = label;
        this.killSignal = killSignal;
        this.killTimeout = killTimeout;
        this.waits = new ChildWaits(lib);
        this.exitWatch = new ExitWatch(lib);
        this.registry = registry;
        this.events = events;
    }

    /** How each stopped child ended ({@code status 0}, {@code signal 15 (SIGTERM)}), by pid. */
    Map<Long, String> exits() {
        return exits;
    }

    StopReport stop(List<Target> targets, List<OwnedSocket> sockets) {
        try (exitWatch) {
            return stopWatched(targets, sockets);
        }
    }

    private StopReport stopWatched(List<Target> targets, List<OwnedSocket> sockets) {
        long started = System.nanoTime();
        List<String> problems = new ArrayList<>();
        List<Progress> all = new ArrayList<>();
        for (Target target : targets) {
            all.add(new Progress(target));
            // an unreaped child of ours: its pid cannot have been reused
            exitWatch.watch(target.pid());
            if (!waits.signalGroup(target.pid(), killSignal)) {
                // no group by that id: the child never got to setsid, or is gone; signal it alone
                signalLeader(target.pid(), killSignal);
            }
            events.emit(SpawnEvent.Kind.STOP_SIGNALLED, target.proc(), target.pid(), target.address(),
                    NativeLib.signalName(killSignal) + " to its process group");
        }
        List<Progress> remaining = waitUntilGone(all, killTimeout.toNanos());
        List<Long> escalated = new ArrayList<>();
        for (Progress progress : remaining) {
            Target target = progress.target;
            escalated.add(target.pid());
            waits.signalGroup(target.pid(), NativeLib.SIGKILL);
            signalLeader(target.pid(), NativeLib.SIGKILL);
            events.emit(SpawnEvent.Kind.ESCALATED, target.proc(), target.pid(), target.address(),
                    "still alive " + killTimeout.toMillis() + " ms after " + NativeLib.signalName(killSignal)
                            + ": SIGKILL to its process group");
        }
        for (Progress progress : waitUntilGone(remaining, AFTER_KILL_WAIT_NANOS)) {
            Target target = progress.target;
            problems.add("GH-SPAWN-008 backend \"" + label + "\" proc " + target.proc() + ": pid " + target.pid()
                    + (progress.exit == null ? "" : " exited but its process group") + " is still alive after SIGKILL: "
                    + ProcFs.liveGroupMembers(target.pid()) + ": check for processes stuck in the kernel (state D)");
        }
        for (Progress progress : all) {
            if (progress.exit != null) {
                exits.put(progress.target.pid(), progress.exit);
                events.emit(SpawnEvent.Kind.STOPPED, progress.target.proc(), progress.target.pid(),
                        progress.target.address(), progress.exit);
            }
        }
        unlinkSockets(sockets, problems);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        return new StopReport(label, targets.size(), escalated, problems, elapsed);
    }

    private void signalLeader(long pid, int signal) {
        // only while it is an unreaped child of ours: its pid cannot have been reused then
        if (!waits.hasExited(pid)) {
            waits.signalPid(pid, signal);
        }
    }

    private List<Progress> waitUntilGone(List<Progress> progresses, long waitNanos) {
        List<Progress> remaining = new ArrayList<>(progresses);
        long deadline = System.nanoTime() + waitNanos;
        boolean interrupted = false;
        while (true) {
            remaining.removeIf(this::advance);
            long left = deadline - System.nanoTime();
            if (remaining.isEmpty() || left <= 0) {
                break;
            }
            long lookAfter = remaining.stream().allMatch(this::watched) ? WATCHED_LOOK_NANOS : POLL_NANOS;
            try {
                exitWatch.await(Math.min(left, lookAfter));
            } catch (InterruptedException e) {
                // finish the stop regardless: leaving children behind is worse than a late return
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return remaining;
    }

    /** True when every process {@code progress} waits for will wake the wait when it exits. */
    private boolean watched(Progress progress) {
        if (progress.exit == null) {
            return exitWatch.watching(progress.target.pid());
        }
        // none known: the next look lists the group again
        return progress.members != null && !progress.members.isEmpty()
                && progress.members.stream().allMatch(exitWatch::watching);
    }

    /** Reaps the leader once it exited; true when it is reaped and its group has no live member. */
    private boolean advance(Progress progress) {
        long pid = progress.target.pid();
        if (progress.exit == null) {
            if (!waits.hasExited(pid)) {
                return false;
            }
            progress.exit = waits.reap(pid).map(WaitStatus::describe).orElse("exit status unknown: reaped elsewhere");
            forget(progress.target);
        }
        if (!waits.groupMayBeAlive(pid)) {
            return true;
        }
        return groupOnlyZombies(progress);
    }

    /**
     * The group id is still in use, maybe only by zombies (workers orphaned by the leader's exit,
     * not yet reaped by PID 1: a container's init may take seconds). A listing of every process
     * tells, but costs a read of each one's stat, so it is made once to learn the members; in
     * between, each look reads the stat of those members alone, and once they are gone a look at
     * the processes new since the listing confirms that none is left.
     */
    private boolean groupOnlyZombies(Progress progress) {
        long pgid = progress.target.pid();
        if (progress.members != null) {
            dropGone(progress.members, pgid);
            if (!progress.members.isEmpty()) {
                return false;
            }
        }
        // First look, or every known member gone: what they forked meanwhile has a pid not seen yet.
        if (progress.listing == null) {
            progress.listing = new GroupMembers(pgid);
        }
        progress.members = progress.listing.look();
        progress.members.forEach(exitWatch::watch);
        // A member may have ended before it was watched, and its pid gone to another process:
        // what it forked in the meantime is found by the next look, so this one is no verdict.
        return !dropGone(progress.members, pgid) && progress.members.isEmpty();
    }

    /** Drops the members no longer alive in group {@code pgid}; true if it dropped any. */
    private boolean dropGone(List<Long> members, long pgid) {
        return members.removeIf(member -> {
            boolean gone = !ProcFs.liveInGroup(member, pgid);
            if (gone) {
                exitWatch.forget(member);
            }
            return gone;
        });
    }

    private void forget(Target target) {
        try {
            registry.forgotten(target.pid());
        } catch (IOException e) {
            events.emit(SpawnEvent.Kind.WARNING, target.proc(), target.pid(), target.address(),
                    "GH-SPAWN-009 cannot update the state file: " + e);
        }
    }

    private void unlinkSockets(List<OwnedSocket> sockets, List<String> problems) {
        for (OwnedSocket socket : sockets) {
            try {
                SocketFiles.unlinkIfOurs(socket.path(), socket.inode());
            } catch (IOException e) {
                problems.add("GH-SPAWN-008 backend \"" + label + "\" proc " + socket.proc() + ": cannot unlink "
                        + socket.path() + ": " + e);
                continue;
            }
            OptionalLong left = SocketFiles.socketInode(socket.path());
            if (left.isPresent() && left.getAsLong() == socket.inode()) {
                problems.add("GH-SPAWN-008 backend \"" + label + "\" proc " + socket.proc() + ": " + socket.path()
                        + " is still there after unlink");
            }
        }
    }
}
