package io.gatehouse.spawn;

import java.nio.file.Path;
import java.util.List;

import io.gatehouse.spawn.internal.ChildRegistry;
import io.gatehouse.spawn.internal.LeftoverReaper;
import io.gatehouse.spawn.internal.NativeLib;
import io.gatehouse.spawn.internal.StateStore;

/**
 * Makes sure backend children do not keep serving unnoticed after gatehouse itself was killed
 * with SIGKILL (or crashed) and could not stop them.
 *
 * <p>Why a state file: children run in their own session and process group (so the whole backend
 * can be signalled at once), which also means nothing stops them when gatehouse dies. The
 * alternative, making every child die with its parent, needs the child's cooperation
 * (PR_SET_PDEATHSIG cannot be set through posix_spawn, and php-cgi and fcgiwrap do not watch
 * their parent). So every backend started with a state file records each live child in it
 * (pid, start time from field 22 of {@code /proc/<pid>/stat}, kill-signal, kill-timeout, socket
 * path and the socket file's inode), rewritten on every spawn and exit and deleted when empty.
 * The next start calls {@link #reapLeftovers} before spawning: every recorded pid that is still
 * alive with the same start time (never a recycled pid) gets its kill-signal, then SIGKILL after
 * its kill-timeout, both to its whole process group; recorded socket files that still have the
 * recorded inode are unlinked; everything is reported and logged. The file names its owner
 * (pid and start time): a file whose owner still runs is refused, so two instances cannot share
 * one and kill each other's children.
 *
 * <p>Create one per gatehouse process and hand it to every {@link SpawnedBackend#start}. The
 * path is the caller's choice, e.g. beside the pid file or in the {@link RuntimeDirectory}, but
 * its directory must be private to gatehouse's user: the file decides which processes get
 * killed, so {@link #reapLeftovers} refuses a directory others can write or replace
 * ({@code GH-SPAWN-012}) and a file that is a symbolic link, not ours or writable by others
 * ({@code GH-SPAWN-009}), checked on the descriptor it reads.
 *
 * <p>Thread-safe: backends record and forget children concurrently.
 */
public final class StateFile {

    /**
     * What {@link #reapLeftovers} did.
     *
     * @param killed   pids of leftover children that were signalled (with their groups)
     * @param unlinked socket files removed
     * @param notes    everything else worth logging: pids left alone because they were recycled,
     *                 unreadable lines, failures ({@code GH-SPAWN-008})
     */
    public record LeftoverReport(List<Long> killed, List<Path> unlinked, List<String> notes) {

        public LeftoverReport {
            killed = List.copyOf(killed);
            unlinked = List.copyOf(unlinked);
            notes = List.copyOf(notes);
        }
    }

    private final StateStore store;

    private StateFile(Path path) {
        this.store = new StateStore(path);
    }

    /** A state file at {@code path}; nothing is read or written until used. */
    public static StateFile at(Path path) {
        return new StateFile(path);
    }

    public Path path() {
        return store.path();
    }

    /**
     * Kills the children a previous gatehouse left behind and unlinks their sockets; call it once
     * at start, before spawning. Blocks until they are gone (at most their kill-timeout, capped at
     * 10 s, plus 2 s after SIGKILL).
     *
     * @throws SpawnException GH-SPAWN-009 if the file cannot be read, is not trusted or belongs
     *                        to a running gatehouse; GH-SPAWN-012 if its directory is not private
     *                        to this user; GH-SPAWN-006 if the native binding is unavailable
     */
    public LeftoverReport reapLeftovers(SpawnEvents events) throws SpawnException {
        return LeftoverReaper.reap(NativeLib.get(), store, events);
    }

    ChildRegistry registry() {
        return store;
    }
}
