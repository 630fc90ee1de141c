package io.gatehouse.spawn;

import java.io.IOException;

import io.gatehouse.spawn.internal.NativeLib;
import jnr.constants.platform.Signal;

/**
 * Sends a signal to a process by pid: the command line's {@code -s reload|stop|quit}. The JDK can
 * only end processes, not send SIGUSR1 or SIGINT.
 *
 * <p>Stateless; thread-safe.
 */
public final class ProcessSignal {

    private ProcessSignal() {
    }

    /**
     * @throws IOException naming the signal, the pid and the reason ({@code ESRCH (No such
     *                     process)}, {@code EPERM ...}), or why the native binding cannot load
     */
    public static void send(long pid, Signal signal) throws IOException {
        NativeLib lib;
        try {
            lib = NativeLib.get();
        } catch (SpawnException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (lib.libc().kill(Math.toIntExact(pid), signal.intValue()) != 0) {
            throw new IOException("cannot send " + signal.name() + " to pid " + pid + ": "
                    + lib.describeErrno(lib.lastErrno()));
        }
    }
}
