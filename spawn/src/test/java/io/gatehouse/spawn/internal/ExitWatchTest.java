package io.gatehouse.spawn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.gatehouse.spawn.SpawnException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wait a stop makes for its processes' exits, over real processes that end only when the
 * test ends them, after they are watched: the wait ends at an exit, ours or not, and not at its
 * timeout, which is far longer than any wait here.
 */
class ExitWatchTest {

    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Well under the timeout, well over any scheduler delay: a wait this long was not woken. */
    private static final long WOKEN_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long END_AFTER_MILLIS = 200;

    private static NativeLib lib;

    private final StartedProcesses processes = new StartedProcesses();

    @BeforeAll
    static void loadNativeBindingFirst() throws SpawnException {
        lib = NativeLib.get(); // its first load takes up to a second
    }

    @AfterEach
    void killWhatWasStarted() throws InterruptedException {
        processes.killAll();
    }

    @Test
    void aWaitEndsWhenAWatchedChildExitsNotAtItsTimeout() throws Exception {
        long child = start("sleep", "60").pid();
        try (ExitWatch watch = new ExitWatch(lib)) {
            assertTrue(watch.watch(child), "pidfds work on this kernel");
            endLater(child);

            long waited = timed(watch, TIMEOUT_NANOS);

            assertFalse(ProcFs.alive(child), "the wait ended with the child's exit");
            assertTrue(waited < WOKEN_WITHIN_NANOS, "woken by the exit, not the timeout: " + waited + " ns");
            assertFalse(watch.watching(child), "an exited process is no longer watched");
        }
    }

    @Test
    void aProcessThatIsNoChildOfOursWakesTheWaitToo() throws Exception {
        // sh starts the sleep in the background and exits: the sleep's parent is then init.
        Process shell = start("sh", "-c", "sleep 60 & echo $!");
        long orphan;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(),
                StandardCharsets.US_ASCII))) {
            orphan = Long.parseLong(Objects.requireNonNull(out.readLine()).trim());
        }
        assertTrue(shell.waitFor(5, TimeUnit.SECONDS));
        try (ExitWatch watch = new ExitWatch(lib)) {
            assertTrue(watch.watch(orphan));
            endLater(orphan);

            long waited = timed(watch, TIMEOUT_NANOS);

            assertFalse(ProcFs.alive(orphan));
            assertTrue(waited < WOKEN_WITHIN_NANOS, "woken by the exit, not the timeout: " + waited + " ns");
        } finally {
            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aWaitForSeveralEndsAtTheFirstExitAndKeepsWatchingTheOthers() throws Exception {
        long ending = start("sleep", "60").pid();
        long staying = start("sleep", "60").pid();
        try (ExitWatch watch = new ExitWatch(lib)) {
            assertTrue(watch.watch(ending));
            assertTrue(watch.watch(staying));
            endLater(ending);

            long waited = timed(watch, TIMEOUT_NANOS);

            assertTrue(waited < WOKEN_WITHIN_NANOS, waited + " ns");
            assertFalse(watch.watching(ending));
            assertTrue(watch.watching(staying), "still running, still watched");
        }
    }

    @Test
    void aWaitOnProcessesThatGoOnLastsItsTimeout() throws Exception {
        long running = start("sleep", "60").pid();
        try (ExitWatch watch = new ExitWatch(lib)) {
            assertTrue(watch.watch(running));

            long waited = timed(watch, TimeUnit.MILLISECONDS.toNanos(50));

            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(50), waited + " ns");
            assertTrue(waited < WOKEN_WITHIN_NANOS, "the timeout holds: " + waited + " ns");
            assertTrue(watch.watching(running));
        }
    }

    @Test
    void aProcessAlreadyReapedCannotBeWatched() throws Exception {
        Process ended = start("true");
        // Its exit status is known, so the JDK has reaped it; pids are handed out in turn, so its
        // pid is not reused this soon.
        assertTrue(ended.waitFor(5, TimeUnit.SECONDS));
        try (ExitWatch watch = new ExitWatch(lib)) {
            assertFalse(watch.watch(ended.pid()), "pid " + ended.pid());
            assertFalse(watch.watching(ended.pid()));
        }
    }

    @Test
    void withNothingWatchedAWaitLastsItsTimeout() throws Exception {
        try (ExitWatch watch = new ExitWatch(lib)) {
            long waited = timed(watch, TimeUnit.MILLISECONDS.toNanos(50));
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(50), waited + " ns");
        }
    }

    @Test
    void closingAndForgettingLetGoOfTheirPidfds() throws Exception {
        long first = start("sleep", "60").pid();
        long second = start("sleep", "60").pid();
        ExitWatch watch = new ExitWatch(lib);
        assertTrue(watch.watch(first));
        assertTrue(watch.watch(second));
        assertTrue(watch.watch(second), "watching twice is watching once");
        assertEquals(2, pidfds(), "one pidfd each");

        watch.forget(first);
        assertEquals(1, pidfds());
        watch.close();
        assertEquals(0, pidfds());
    }

    private static long timed(ExitWatch watch, long timeoutNanos) throws InterruptedException {
        long started = System.nanoTime();
        watch.await(timeoutNanos);
        return System.nanoTime() - started;
    }

    /** Ends {@code pid} while the test waits for it. */
    private static void endLater(long pid) {
        CompletableFuture.runAsync(() -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy),
                CompletableFuture.delayedExecutor(END_AFTER_MILLIS, TimeUnit.MILLISECONDS));
    }

    private Process start(String... command) throws IOException {
        return processes.start(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD));
    }

    /** This JVM's open pidfds. */
    private static long pidfds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:[pidfd]");
                } catch (IOException e) {
                    return false; // the directory's own descriptor, gone once listed
                }
            }).count();
        }
    }
}
