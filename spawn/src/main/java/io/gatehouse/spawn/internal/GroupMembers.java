package io.gatehouse.spawn.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Finds the live members of one process group while a stop waits for the group to empty, reading
 * the stat of each process once. The first look lists every process. A later look, made once the
 * members found so far have been watched to their end, reads /proc's entries again and looks at
 * the pids it has not seen before alone: what the members forked before they ended has a new pid,
 * and a process that was no member when it was read has not become one (only a process of the
 * leader's own session could join the group). A stop used to list every process twice at its end,
 * 2–4 ms each for 80 processes on a restart's critical path; a reading of the entries takes a
 * tenth of that.
 *
 * <p>A listing reads the entries first, then each process's stat, so a member that forks and exits
 * in between leaves a child that is in neither. Each look therefore reads the entries again until
 * a reading brings no new pid (at most {@link #MAX_REREADS} times, as a machine that forks all the
 * time brings new pids to every reading; the first one already holds such a child). A pid seen
 * before and reused by a new member goes unnoticed, which takes the kernel's pid range to wrap:
 * past {@link #RELIST_AFTER_NANOS} a look lists every process again.
 *
 * <p>Not thread-safe: one stop, on one thread.
 */
final class GroupMembers {

    static final int MAX_REREADS = 3;
    static final long RELIST_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long processGroup;
    private final Supplier<String[]> entries;
    private final LongSupplier nanoClock;
    private final byte[] buffer = new byte[ProcFs.STAT_BUFFER_BYTES];
    private Set<String> seen;
    private long listedAt;

    GroupMembers(long processGroup) {
        this(processGroup, ProcFs::entries, System::nanoTime);
    }

    /** With /proc's entries read by {@code entries} and the time told by {@code nanoClock}. */
    GroupMembers(long processGroup, Supplier<String[]> entries, LongSupplier nanoClock) {
        this.processGroup = processGroup;
        this.entries = entries;
        this.nanoClock = nanoClock;
    }

    /**
     * Pids of the group's members that are not zombies, among the processes not seen by an
     * earlier look (all of them at the first look, or once the last listing is too old).
     */
    List<Long> look() {
        long now = nanoClock.getAsLong();
        if (seen == null || now - listedAt > RELIST_AFTER_NANOS) {
            seen = new HashSet<>();
            listedAt = now;
        }
        List<Long> members = new ArrayList<>();
        String[] reading = entries.get();
        for (int rereads = 0; ; rereads++) {
            boolean fresh = false;
            for (String name : reading) {
                if (ProcFs.isPid(name) && seen.add(name)) {
                    fresh = true;
                    ProcFs.stat(Long.parseLong(name), buffer)
                            .filter(stat -> stat.processGroup() == processGroup && !stat.zombie())
                            .ifPresent(stat -> members.add(stat.pid()));
                }
            }
            if (!members.isEmpty() || !fresh || rereads == MAX_REREADS) {
                return members;
            }
            reading = entries.get();
        }
    }
}
