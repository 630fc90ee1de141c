package io.gatehouse.spawn.internal;

import java.util.Map;
import java.util.Optional;

import io.gatehouse.spawn.SpawnException;
import io.gatehouse.spawn.SpawnSpec;
import io.gatehouse.spawn.SpawnedBackend;

/**
 * The start-up check: a child that exits within its first moments (not a FastCGI program, a
 * missing interpreter or extension, a bad config) fails the backend's start with a message that
 * says how it ended and what that usually means, instead of turning into a respawn loop.
 *
 * <p>Stateless; thread-safe.
 */
final class StartupCheck {

    static final long WINDOW_NANOS = SpawnedBackend.STARTUP_CHECK.toNanos();
    private static final long POLL_MILLIS = 5;

    private StartupCheck() {
    }

    /** Proc number and pid of a child that died during the check. */
    record Death(int proc, long pid) {
    }

    /**
     * Watches {@code pids} (proc → pid) until {@code deadlineNanos} (a {@link System#nanoTime}
     * value: the end of the window counted from the spawn); returns the first that exited.
     */
    static Optional<Death> firstExit(ChildWaits waits, Map<Integer, Long> pids, long deadlineNanos)
            throws SpawnException {
        while (true) {
            for (Map.Entry<Integer, Long> entry : pids.entrySet()) {
                if (waits.hasExited(entry.getValue())) {
                    return Optional.of(new Death(entry.getKey(), entry.getValue()));
                }
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return Optional.empty();
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SpawnException("GH-SPAWN-003 start of backend interrupted during the start-up check");
            }
        }
    }

    static SpawnException failure(ProcLauncher launcher, SpawnSpec spec, Death death, Optional<WaitStatus> status) {
        String how = status.map(WaitStatus::describe).orElse("exit status unknown");
        String stderr = spec.stderrFile().map(Object::toString).orElse("gatehouse's own stderr");
        return new SpawnException("GH-SPAWN-003 " + launcher.context(death.proc()) + ": child pid " + death.pid()
                + " exited during start (" + how + "): " + hint(status, launcher) + " See its stderr: " + stderr);
    }

    private static String hint(Optional<WaitStatus> status, ProcLauncher launcher) {
        if (status.isEmpty()) {
            return "is bin-path a FastCGI/SCGI program that serves the socket on fd 0?";
        }
        WaitStatus st = status.get();
        if (!st.exited()) {
            return "it was killed by a signal at start: run " + launcher.program() + " by hand to see why.";
        }
        return switch (st.exitCode()) {
            case 126 -> "a program it runs is not executable (status 126 from a shell).";
            case 127 -> "a program or interpreter it runs was not found (status 127 from a shell).";
            default -> "is bin-path a FastCGI/SCGI program that serves the socket on fd 0?";
        };
    }
}
