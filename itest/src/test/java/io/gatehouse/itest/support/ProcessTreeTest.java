package io.gatehouse.itest.support;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@ExtendWith(LeakCheck.class)
class ProcessTreeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private Process started;

    @AfterEach
    void killStarted() throws InterruptedException {
        if (started != null) {
            List<ProcInfo> below = ProcessTree.descendants(started.pid());
            started.destroyForcibly();
            started.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            ProcessTree.killAll(below);
            ProcessTree.awaitGone(below, WAIT);
        }
    }

    private Process start(String... command) throws IOException {
        started = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return started;
    }

    private static <T> List<T> await(Supplier<List<T>> probe, int size, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<T> found = probe.get();
        while (found.size() != size && System.nanoTime() < deadline) {
            ProcessTree.sleepPoll();
            found = probe.get();
        }
        if (found.size() != size) {
            fail("expected " + size + " " + what + " within " + WAIT + ", found " + found);
        }
        return found;
    }

    @Test
    void seesWhichSignalsAProcessIgnores() throws Exception {
        // An ignored signal stays ignored across exec: the sleep inherits the shell's trap.
        Process shell = start("/bin/sh", "-c", "trap '' INT; exec sleep 30");
        await(() -> ProcessTree.info(shell.pid()).filter(p -> p.comm().equals("sleep")).stream().toList(), 1,
                "sleep after exec");

        assertTrue(ProcessTree.ignoresSignal(shell.pid(), 2), "SIGINT");
        assertFalse(ProcessTree.ignoresSignal(shell.pid(), 15), "SIGTERM");
    }

    @Test
    void peakRssOfThisJvmIsPlausible() {
        long kib = ProcessTree.peakRssKib(ProcessHandle.current().pid());

        // A JVM with JUnit loaded needs tens of MB; the surefire fork is capped at -Xmx512m.
        assertTrue(kib > 10_000 && kib < 4_000_000, kib + " KiB");
    }

    @Test
    void findsBothSleepsOfAShellThenTheyAreGoneAfterKill() throws Exception {
        Process shell = start("/bin/sh", "-c", "sleep 30 & sleep 30");
        // Between fork and exec a child is still "sh": wait until both have become sleep.
        List<ProcInfo> sleeps = await(() -> ProcessTree.descendants(shell.pid()).stream()
                .filter(p -> p.comm().equals("sleep") && p.cmdline().equals("sleep 30")).toList(), 2, "descendants");

        for (ProcInfo sleep : sleeps) {
            assertEquals("sleep", sleep.comm());
            assertEquals(shell.pid(), sleep.ppid());
            assertEquals("sleep 30", sleep.cmdline());
            assertTrue(ProcessTree.isAlive(sleep.pid()));
        }
        assertEquals(ProcessTree.pids(sleeps), ProcessTree.pids(ProcessTree.children(shell.pid())));
        AssertionError error = assertThrows(AssertionError.class, () -> ProcessTree.assertNoDescendants(shell.pid()));
        for (ProcInfo sleep : sleeps) {
            assertTrue(error.getMessage().contains("pid " + sleep.pid() + " (sleep) state S: sleep 30"),
                    error.getMessage());
        }

        for (ProcInfo sleep : sleeps) {
            ProcessTree.signal(sleep.pid(), "TERM");
        }
        assertEquals(List.of(), ProcessTree.awaitGone(sleeps, WAIT));
        assertTrue(shell.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS), "shell exits once its sleeps are gone");
        for (ProcInfo sleep : sleeps) {
            assertFalse(ProcessTree.isAlive(sleep));
        }
    }

    @Test
    void assertNoZombiesUnderFailsOnAnUnreapedChildAndPassesOnceReaped() throws Exception {
        // perl forks a child that exits at once and reaps it only when its stdin closes:
        // a zombie that we can create and remove at will, never orphaned to init.
        Process parent = start("/usr/bin/perl", "-e",
                "my $pid = fork() // die 'fork'; exit 0 if $pid == 0; <STDIN>; waitpid($pid, 0); exit 0");
        ProcInfo zombie = await(() -> ProcessTree.descendants(parent.pid()).stream()
                .filter(ProcInfo::isZombie).collect(Collectors.toList()), 1, "zombies").get(0);

        assertTrue(ProcessTree.isZombie(zombie.pid()));
        assertFalse(ProcessTree.isAlive(zombie.pid()), "a zombie has exited");
        AssertionError error = assertThrows(AssertionError.class, () -> ProcessTree.assertNoZombiesUnder(parent.pid()));
        assertTrue(error.getMessage().contains("1 unreaped zombie(s) under pid " + parent.pid()), error.getMessage());
        assertTrue(error.getMessage().contains("pid " + zombie.pid() + " (perl) state Z"), error.getMessage());

        parent.getOutputStream().close();
        assertTrue(parent.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(0, parent.exitValue());
        assertTrue(ProcessTree.info(zombie.pid()).isEmpty(), "reaped zombie is gone from /proc");
    }

    @Test
    void assertionsPassForAProcessWithoutChildren() throws Exception {
        Process sleep = start("sleep", "30");
        ProcessTree.assertNoDescendants(sleep.pid());
        ProcessTree.assertNoZombiesUnder(sleep.pid());
    }

    @Test
    void infoOfThisJvm() {
        ProcInfo self = ProcessTree.info(ProcessHandle.current().pid()).orElseThrow();
        assertEquals("java", self.comm());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), self.ppid());
        assertTrue(self.cmdline().contains("java"), self.cmdline());
        assertTrue(ProcessTree.isAlive(self));
        assertTrue(ProcessTree.info(Long.MAX_VALUE).isEmpty());
    }

    @Test
    void fdsListsAFileWhileItIsOpen() throws IOException {
        Path dir = TempDirs.create("gh-fd");
        try {
            Path file = Files.createFile(dir.resolve("probe"));
            long self = ProcessHandle.current().pid();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                assertTrue(channel.isOpen());
                assertTrue(ProcessTree.fds(self).contains(file.toString()), ProcessTree.fds(self).toString());
            }
            assertFalse(ProcessTree.fds(self).contains(file.toString()));
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    @Test
    void signalRejectsBadNamesAndReportsAMissingProcess() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> ProcessTree.signal(1, "TERM; rm -rf /"));
        assertThrows(IllegalArgumentException.class, () -> ProcessTree.signal(1, "term"));
        Process sleep = start("sleep", "30");
        sleep.destroyForcibly().waitFor();
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> ProcessTree.signal(sleep.pid(), "TERM"));
        assertTrue(error.getMessage().contains("kill -s TERM " + sleep.pid() + " failed"), error.getMessage());
    }

    @Test
    void signalDeliversByName() throws Exception {
        Process sleep = start("sleep", "30");
        ProcessTree.signal(sleep.pid(), "USR1");
        assertTrue(sleep.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(128 + 10, sleep.exitValue(), "sleep dies of SIGUSR1 (10)");
    }

    @Test
    void withEnvironmentFindsAProcessByMarker() throws Exception {
        String marker = UUID.randomUUID().toString();
        ProcessBuilder builder = new ProcessBuilder("sleep", "30")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("GH_TEST_MARKER", marker);
        started = builder.start();
        List<ProcInfo> found = ProcessTree.withEnvironment("GH_TEST_MARKER", marker);
        assertEquals(List.of(started.pid()), found.stream().map(ProcInfo::pid).collect(Collectors.toList()));
        assertEquals(List.of(), ProcessTree.withEnvironment("GH_TEST_MARKER", marker + "x"));
    }
}
