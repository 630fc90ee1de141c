package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import io.gatehouse.spawn.SpawnEvent;
import io.gatehouse.spawn.SpawnException;
import io.gatehouse.spawn.SpawnEvents;
import io.gatehouse.spawn.StateFile;

/**
 * Kills the children a previous, dead gatehouse recorded in its state file and removes their
 * socket files. A recorded pid is only signalled while it still has the recorded start time; a
 * pid whose process is gone but whose process group still has live members (php-cgi workers
 * outliving their master) has its group signalled: a group id stays reserved while any member
 * lives, so those members can only be the dead child's descendants.
 *
 * <p>Stateless; thread-safe. These processes are not our children: they are never waited for,
 * only watched through /proc.
 */
public final class LeftoverReaper {

    /** A leftover gets at most this long after its kill-signal, whatever its kill-timeout was. */
    private static final long MAX_TERM_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** SIGKILL takes effect at once; this only covers scheduling delays. */
    private static final long KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long POLL_MILLIS = 10;

    private LeftoverReaper() {
    }

    private record Target(ChildRecord child, boolean wholeGroup) {
    }

    public static StateFile.LeftoverReport reap(NativeLib lib, StateStore store, SpawnEvents events)
            throws SpawnException {
        if (!isPrivateDirectory(lib, store.path().getParent())) {
            return new StateFile.LeftoverReport(List.of(), List.of(), List.of());
        }
        StateStore.Contents contents;
        try {
            contents = store.read(lib);
        } catch (IOException e) {
            // the file decides which processes get killed: only our own, unshared file is believed
            throw new SpawnException("GH-SPAWN-009 state file " + store.path() + " not read: " + e.getMessage()
                    + ": refusing to kill processes on its word; remove it after checking for old backend processes",
                    e);
        }
        List<String> notes = new ArrayList<>();
        // no file, nothing to rewrite: whatever appears at the name after the read is not ours to delete
        if (!contents.exists()
                || contents.ownerPid() == store.ownPid() && contents.ownerStartTime() == store.ownStartTime()) {
            return new StateFile.LeftoverReport(List.of(), List.of(), List.of());
        }
        if (contents.ownerPid() != 0 && sameProcess(contents.ownerPid(), contents.ownerStartTime())) {
            throw new SpawnException("GH-SPAWN-009 state file " + store.path() + " belongs to gatehouse pid "
                    + contents.ownerPid() + ", which is running: two instances must not share a state file;"
                    + " give each its own (it is kept beside the pid file)");
        }
        contents.badLines().forEach(line -> notes.add("ignored unreadable line \"" + line + "\""));

        List<Target> targets = new ArrayList<>();
        for (ChildRecord child : contents.children()) {
            Optional<ProcFs.Stat> stat = ProcFs.stat(child.pid());
            if (stat.isPresent() && !stat.get().zombie()) {
                if (stat.get().startTime() == child.startTime()) {
                    targets.add(new Target(child, stat.get().processGroup() == child.pid()));
                } else {
                    notes.add("pid " + child.pid() + " is another process now (start time " + stat.get().startTime()
                            + ", recorded " + child.startTime() + "): left alone");
                }
            } else if (!ProcFs.liveGroupMembers(child.pid()).isEmpty()) {
                targets.add(new Target(child, true));
            }
        }
        List<Long> killed = stop(lib, targets, notes);
        List<Path> unlinked = unlinkSockets(lib, contents.children(), notes);
        try {
            store.rewrite();
        } catch (IOException e) {
            notes.add("GH-SPAWN-009 cannot rewrite " + store.path() + ": " + e);
        }
        for (Target target : targets) {
            emit(events, target.child(), target.child().pid(), "killed" + (target.wholeGroup() ? " with its group" : "")
                    + ", left by gatehouse pid " + contents.ownerPid());
        }
        for (ChildRecord child : contents.children()) {
            if (!child.socketPath().isEmpty() && unlinked.contains(Path.of(child.socketPath()))) {
                emit(events, child, 0, "socket unlinked, left by gatehouse pid " + contents.ownerPid());
            }
        }
        for (String note : notes) {
            emit(events, null, 0, note);
        }
        return new StateFile.LeftoverReport(killed, unlinked, notes);
    }

    /**
     * False when the directory does not exist (so neither does the file); throws when it exists
     * but others could put or replace files in it.
     */
    private static boolean isPrivateDirectory(NativeLib lib, Path dir) throws SpawnException {
        Optional<FileTrust.Problem> problem;
        try {
            problem = FileTrust.privateDirectoryProblem(dir, lib.euid());
        } catch (IOException e) {
            throw new SpawnException("GH-SPAWN-012 cannot inspect state file directory " + dir + ": " + e, e);
        }
        if (problem.isPresent() && problem.get().kind() == FileTrust.Kind.MISSING
                && problem.get().path().equals(dir.toAbsolutePath().normalize())) {
            return false;
        }
        if (problem.isPresent()) {
            throw new SpawnException(privateDirectoryMessage("state file directory " + dir, problem.get()));
        }
        return true;
    }

    /** GH-SPAWN-012 for a directory gatehouse keeps its own files in that others could write. */
    private static String privateDirectoryMessage(String what, FileTrust.Problem problem) {
        return "GH-SPAWN-012 " + what + " is not private to gatehouse's user: " + problem.describe()
                + ": keep gatehouse's files in a directory only its user owns and can write"
                + " (/run/gatehouse, $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR)";
    }

    private static List<Long> stop(NativeLib lib, List<Target> targets, List<String> notes) {
        long termWait = 0;
        for (Target target : targets) {
            signal(lib, target, target.child().killSignal());
            termWait = Math.max(termWait, TimeUnit.MILLISECONDS.toNanos(target.child().killTimeoutMillis()));
        }
        List<Target> remaining = waitGone(targets, Math.min(termWait, MAX_TERM_WAIT_NANOS));
        for (Target target : remaining) {
            signal(lib, target, NativeLib.SIGKILL);
            notes.add("pid " + target.child().pid() + " outlived its kill-timeout: sent SIGKILL");
        }
        for (Target target : waitGone(remaining, KILL_WAIT_NANOS)) {
            notes.add("GH-SPAWN-008 pid " + target.child().pid() + " still alive after SIGKILL");
        }
        List<Long> killed = new ArrayList<>();
        targets.forEach(target -> killed.add(target.child().pid()));
        return killed;
    }

    private static void signal(NativeLib lib, Target target, int signal) {
        long pid = target.child().pid();
        lib.libc().kill((int) (target.wholeGroup() ? -pid : pid), signal);
    }

    private static List<Target> waitGone(List<Target> targets, long waitNanos) {
        List<Target> remaining = new ArrayList<>(targets);
        long deadline = System.nanoTime() + waitNanos;
        while (true) {
            remaining.removeIf(LeftoverReaper::gone);
            if (remaining.isEmpty() || System.nanoTime() - deadline >= 0 || !sleep()) {
                return remaining;
            }
        }
    }

    private static boolean gone(Target target) {
        ChildRecord child = target.child();
        if (sameProcess(child.pid(), child.startTime())) {
            return false;
        }
        return !target.wholeGroup() || ProcFs.liveGroupMembers(child.pid()).isEmpty();
    }

    private static boolean sameProcess(long pid, long startTime) {
        return ProcFs.stat(pid).map(s -> !s.zombie() && s.startTime() == startTime).orElse(false);
    }

    private static List<Path> unlinkSockets(NativeLib lib, List<ChildRecord> children, List<String> notes) {
        List<Path> unlinked = new ArrayList<>();
        for (ChildRecord child : children) {
            if (child.socketPath().isEmpty()) {
                continue;
            }
            Path path = Path.of(child.socketPath());
            OptionalLong inode = SocketFiles.socketInode(path);
            if (inode.isPresent() && inode.getAsLong() == child.socketInode()
                    && SocketFiles.ownedBy(path, lib.euid())) {
                try {
                    Files.deleteIfExists(path);
                    unlinked.add(path);
                } catch (IOException e) {
                    notes.add("GH-SPAWN-008 cannot unlink " + path + ": " + e);
                }
            } else if (SocketFiles.exists(path)) {
                notes.add(path + " is not the socket gatehouse created (replaced since, or another user's):"
                        + " left alone");
            }
        }
        return unlinked;
    }

    private static void emit(SpawnEvents events, ChildRecord child, long pid, String detail) {
        try {
            events.onEvent(child == null
                    ? new SpawnEvent(SpawnEvent.Kind.LEFTOVER_REAPED, "(state file)", -1, 0, "", detail)
                    : new SpawnEvent(SpawnEvent.Kind.LEFTOVER_REAPED, child.label(), child.proc(), pid,
                            child.socketPath(), detail));
        } catch (RuntimeException e) {
            // a broken log sink must not stop the clean-up
        }
    }

    /** False when interrupted: the caller stops waiting (and escalates) instead of spinning. */
    private static boolean sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
