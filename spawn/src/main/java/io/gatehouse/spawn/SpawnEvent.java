package io.gatehouse.spawn;

import java.util.Locale;

/**
 * Something the spawner did or saw, for the error log and for counters. {@link #toString()} is the
 * log line: {@code backend "php" proc 0 pid 4711 /run/php.sock-0: exited (signal 9 (SIGKILL)); respawn in 0 ms}.
 *
 * @param kind    what happened
 * @param label   the backend label
 * @param proc    the proc number, or -1 when the event concerns no single proc
 * @param pid     the child concerned, or 0
 * @param address the socket path or host:port concerned, or an empty string
 * @param detail  the rest of the line: exit status, delay, signal, pids
 *
 * <p>Immutable.
 */
public record SpawnEvent(Kind kind, String label, int proc, long pid, String address, String detail) {

    /** Kinds of event. */
    public enum Kind {
        /** A child was spawned (at start or as a respawn). */
        SPAWNED,
        /** Something already serves the proc's address: it is used and not spawned. */
        EXTERNAL,
        /** A stale socket file (nobody listening) was unlinked before binding. */
        STALE_SOCKET_REMOVED,
        /** A child exited or was killed without being asked to. */
        EXITED,
        /** Processes left in a dead child's process group were killed. */
        GROUP_KILLED,
        /** A respawn is scheduled after the given delay. */
        RESPAWN_SCHEDULED,
        /** A respawn attempt failed; another one is scheduled. */
        RESPAWN_FAILED,
        /** The kill-signal was sent to a child's process group. */
        STOP_SIGNALLED,
        /** A child outlived kill-timeout and its group got SIGKILL. */
        ESCALATED,
        /** A child ended after being asked to stop. */
        STOPPED,
        /** A child left behind by an earlier gatehouse run was killed or its socket unlinked. */
        LEFTOVER_REAPED,
        /** Something worth an operator's attention that is not an error of this call. */
        WARNING
    }

    @Override
    public String toString() {
        StringBuilder line = new StringBuilder("backend \"").append(label).append('"');
        if (proc >= 0) {
            line.append(" proc ").append(proc);
        }
        if (pid > 0) {
            line.append(" pid ").append(pid);
        }
        if (!address.isEmpty()) {
            line.append(' ').append(address);
        }
        line.append(": ").append(kind.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        if (!detail.isEmpty()) {
            line.append(" (").append(detail).append(')');
        }
        return line.toString();
    }
}
