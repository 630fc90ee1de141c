package io.gatehouse.spawn.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jnr.ffi.Pointer;

/**
 * Wakes a stop the moment a process it waits for exits, rather than at its next look: one pidfd
 * per watched process ({@code pidfd_open}, Linux 5.3), all waited on by one {@code poll}. A pidfd
 * turns readable when its process has exited, a zombie included, whether it is our child or not.
 * A restart holds requests while the old backends stop, so each millisecond between the last
 * exit and its notice is a millisecond of every held request.
 *
 * <p>Where a process cannot be watched (no pidfds: an older kernel, or a seccomp filter that
 * refuses the call), the caller looks at its own pace, as the stop did before; a failing
 * {@code poll} ends every watch.
 *
 * <p>Not thread-safe: one stop, on one thread.
 */
final class ExitWatch implements AutoCloseable {

    /** pidfd_open's number in the syscall table every architecture shares since 5.1 (alpha aside). */
    private static final long SYS_PIDFD_OPEN = 434;
    /** struct pollfd: int fd at 0, short events at 4, short revents at 6. */
    private static final int POLLFD_BYTES = 8;
    private static final int EVENTS_OFFSET = 4;
    private static final int REVENTS_OFFSET = 6;
    private static final short POLLIN = 1;

    private final NativeLib lib;
    /** Watched pid → its pidfd, in the order watched. */
    private final Map<Long, Integer> pidfds = new LinkedHashMap<>();

    ExitWatch(NativeLib lib) {
        this.lib = lib;
    }

    /**
     * Watches {@code pid}: its exit will end an {@link #await}. False when it cannot be watched:
     * no such process, or no pidfds here. A pid that is no child of ours may have been reused
     * before the call; the caller checks afterwards that the process is still the one it meant.
     */
    boolean watch(long pid) {
        if (pidfds.containsKey(pid)) {
            return true;
        }
        long fd = lib.libc().syscall(SYS_PIDFD_OPEN, pid, 0);
        if (fd < 0) {
            return false;
        }
        pidfds.put(pid, (int) fd);
        return true;
    }

    /** True while {@code pid} is watched and has not been seen to exit. */
    boolean watching(long pid) {
        return pidfds.containsKey(pid);
    }

    /** Stops watching {@code pid}, if it was. */
    void forget(long pid) {
        Integer fd = pidfds.remove(pid);
        if (fd != null) {
            lib.libc().close(fd);
        }
    }

    /**
     * Waits until a watched process exits or {@code timeoutNanos} pass (rounded up to a
     * millisecond), and forgets those that exited; at once when one already had. A signal ends
     * the wait early, which the caller's next look absorbs.
     */
    void await(long timeoutNanos) throws InterruptedException {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE,
                Math.max(0, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + TimeUnit.MILLISECONDS.toNanos(1) - 1)));
        if (pidfds.isEmpty()) {
            Thread.sleep(timeoutMillis);
            return;
        }
        List<Long> pids = new ArrayList<>(pidfds.keySet());
        Pointer fds = lib.allocate(pids.size() * POLLFD_BYTES);
        for (int i = 0; i < pids.size(); i++) {
            fds.putInt((long) i * POLLFD_BYTES, pidfds.get(pids.get(i)));
            fds.putShort((long) i * POLLFD_BYTES + EVENTS_OFFSET, POLLIN);
        }
        int ready = lib.libc().poll(fds, pids.size(), timeoutMillis);
        if (ready < 0 && lib.lastErrno() != NativeLib.EINTR) {
            // poll itself failed: watch nothing more, so that the caller looks at its own pace
            close();
            return;
        }
        for (int i = 0; i < pids.size() && ready > 0; i++) {
            if (fds.getShort((long) i * POLLFD_BYTES + REVENTS_OFFSET) != 0) {
                forget(pids.get(i));
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public void close() {
        for (int fd : pidfds.values()) {
            lib.libc().close(fd);
        }
        pidfds.clear();
    }
}
