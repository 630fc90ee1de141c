package io.gatehouse.spawn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wait a stop makes for its processes' exits, over real processes: it ends when a watched
 * process exits, ours or not, and not at its timeout, which is far longer than any process here
 * lives.
 */
class ExitWatchTest {

    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Well under the timeout, well over any scheduler delay: a wait this long was not woken. */
    private static final long WOKEN_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final StartedProcesses processes = new StartedProcesses();

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        processes.killAll();
    }

    @Test
    void aWaitEndsWhenAWatchedChildExitsNotAtItsTimeout() throws Exception {
        long child = start("sleep", "0.3").pid();
        try (ExitWatch watch = new ExitWatch(NativeLib.get())) {
            assertTrue(watch.watch(child), "pidfds work on this kernel");

            long waited = timed(watch);

            assertFalse(ProcFs.alive(child), "the wait ended with the child's exit");
            assertTrue(waited < WOKEN_WITHIN_NANOS, "woken by the exit, not the timeout: " + waited + " ns");
            assertFalse(watch.watching(child), "an exited process is no longer watched");
        }
    }

    @Test
    void aProcessThatIsNoChildOfOursWakesTheWaitToo() throws Exception {
        // sh starts the sleep in the background and exits: the sleep's parent is then init.
        Process shell = start("sh", "-c", "sleep 0.3 & echo $!");
        long orphan;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(),
                StandardCharsets.US_ASCII))) {
            orphan = Long.parseLong(Objects.requireNonNull(out.readLine()).trim());
        }
        assertTrue(shell.waitFor(5, TimeUnit.SECONDS));
        try (ExitWatch watch = new ExitWatch(NativeLib.get())) {
            assertTrue(watch.watch(orphan), "the sleep has not ended yet");

            long waited = timed(watch);

            assertFalse(ProcFs.alive(orphan));
            assertTrue(waited < WOKEN_WITHIN_NANOS, "woken by the exit, not the timeout: " + waited + " ns");
        }
    }

    @Test
    void aWaitForSeveralEndsAtTheFirstExitAndKeepsWatchingTheOthers() throws Exception {
        long quick = start("sleep", "0.2").pid();
        long slow = start("sleep", "60").pid();
        try (ExitWatch watch = new ExitWatch(NativeLib.get())) {
            assertTrue(watch.watch(quick));
            assertTrue(watch.watch(slow));

            long waited = timed(watch);

            assertTrue(waited < WOKEN_WITHIN_NANOS, waited + " ns");
            assertFalse(watch.watching(quick));
            assertTrue(watch.watching(slow), "still running, still watched");
        }
    }

    @Test
    void aProcessAlreadyReapedCannotBeWatched() throws Exception {
        Process ended = start("true");
        assertTrue(ended.waitFor(5, TimeUnit.SECONDS));
        // Its exit status is known, so the JDK has reaped it; pids are handed out in turn, so its
        // pid is not reused this soon.
        try (ExitWatch watch = new ExitWatch(NativeLib.get())) {
            assertFalse(watch.watch(ended.pid()), "pid " + ended.pid());
            assertFalse(watch.watching(ended.pid()));
        }
    }

    @Test
    void withNothingWatchedAWaitLastsItsTimeout() throws Exception {
        try (ExitWatch watch = new ExitWatch(NativeLib.get())) {
            long started = System.nanoTime();
            watch.await(TimeUnit.MILLISECONDS.toNanos(50));
            assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void closingAndForgettingLetGoOfTheirDescriptors() throws Exception {
        long first = start("sleep", "60").pid();
        long second = start("sleep", "60").pid();
        int before = descriptors();
        ExitWatch watch = new ExitWatch(NativeLib.get());
        assertTrue(watch.watch(first));
        assertTrue(watch.watch(second));
        assertTrue(watch.watch(second), "watching twice is watching once");
        assertEquals(before + 2, descriptors(), "one pidfd each");

        watch.forget(first);
        assertEquals(before + 1, descriptors());
        watch.close();
        assertEquals(before, descriptors());
    }

    private static long timed(ExitWatch watch) throws InterruptedException {
        long started = System.nanoTime();
        watch.await(TIMEOUT_NANOS);
        return System.nanoTime() - started;
    }

    private Process start(String... command) throws IOException {
        return processes.start(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD));
    }

    private static int descriptors() {
        return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
    }
}
