package io.gatehouse.spawn.internal;

import java.util.Optional;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Waiting on and signalling our own children, one pid at a time: never {@code waitpid(-1)}, which
 * would steal exit statuses from the JDK's own process reaper. Exits are first observed with
 * {@code waitid(WNOWAIT)}, which leaves the zombie in place: while it exists its pid (and so its
 * process group id) cannot be reused, so the group can still be signalled safely.
 *
 * <p>Not thread-safe: an instance owns a siginfo buffer; give each thread its own.
 */
public final class ChildWaits {

    private static final int SIGINFO_PID_OFFSET = 16;

    private final NativeLib lib;
    private final Pointer siginfo;
    private final IntByReference status = new IntByReference();

    public ChildWaits(NativeLib lib) {
        this.lib = lib;
        this.siginfo = lib.allocate();
    }

    /**
     * True when child {@code pid} has exited (it stays a zombie until {@link #reap}). A pid that
     * is no longer our child (reaped by someone else) counts as exited.
     */
    public boolean hasExited(long pid) {
        siginfo.putInt(SIGINFO_PID_OFFSET, 0);
        int rc = lib.libc().waitid(NativeLib.P_PID, (int) pid, siginfo,
                NativeLib.WEXITED | NativeLib.WNOHANG | NativeLib.WNOWAIT);
        if (rc != 0) {
            int errno = lib.lastErrno();
            return errno != NativeLib.EINTR;
        }
        return siginfo.getInt(SIGINFO_PID_OFFSET) == pid;
    }

    /**
     * Reaps child {@code pid} if it has exited and returns its status; empty if it still runs or
     * was reaped by someone else.
     */
    public Optional<WaitStatus> reap(long pid) {
        for (int attempt = 0; attempt < 3; attempt++) {
            int rc = lib.libc().waitpid((int) pid, status, NativeLib.WNOHANG);
            if (rc == pid) {
                return Optional.of(new WaitStatus(status.intValue()));
            }
            if (rc == 0 || lib.lastErrno() != NativeLib.EINTR) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * Sends {@code signal} to process group {@code pid} (our children lead their own group).
     * Returns false when the group no longer exists.
     */
    public boolean signalGroup(long pid, int signal) {
        return lib.libc().kill((int) -pid, signal) == 0;
    }

    /**
     * False only when no process at all is left in group {@code pid} (zombies count as left):
     * one system call, where a {@link ProcFs} listing reads every process's stat.
     */
    public boolean groupMayBeAlive(long pid) {
        return lib.libc().kill((int) -pid, 0) == 0 || lib.lastErrno() != NativeLib.ESRCH;
    }

    /** Sends {@code signal} to {@code pid} alone. Returns false when it no longer exists. */
    public boolean signalPid(long pid, int signal) {
        return lib.libc().kill((int) pid, signal) == 0;
    }
}
