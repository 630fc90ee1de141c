package io.gatehouse.spawn.internal;

import java.nio.file.Path;
import java.util.Optional;

import io.gatehouse.spawn.ProcStatus;

/**
 * The mutable state of one proc of a backend.
 *
 * <p>Not thread-safe by itself: every field is guarded by the owning {@link Supervisor}'s
 * monitor, except {@link #backoff}, which only the supervisor thread uses.
 */
final class ProcSlot {

    final int number;
    final String address;
    final Optional<Path> socketPath;
    final Backoff backoff = new Backoff();

    ProcStatus.State state = ProcStatus.State.STARTING;
    long pid;
    long startTime;
    /** Inode of the socket file we bound last, or 0: only that file is ever unlinked. */
    long socketInode;
    int restarts;
    String lastExit = "";
    long upSinceNanos;
    long respawnAtNanos;

    ProcSlot(int number, String address, Optional<Path> socketPath) {
        this.number = number;
        this.address = address;
        this.socketPath = socketPath;
    }

    ProcStatus snapshot() {
        return new ProcStatus(number, pid, state, address, restarts, lastExit);
    }
}
