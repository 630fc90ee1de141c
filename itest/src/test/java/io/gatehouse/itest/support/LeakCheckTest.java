package io.gatehouse.itest.support;

import java.io.File;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(LeakCheck.class)
class LeakCheckTest {

    private static final Duration SHORT_SETTLE = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private Path dir;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void createDir() {
        dir = TempDirs.create("gh-leak");
        LeakCheck.expectGone(dir);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly();
            process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        TempDirs.deleteRecursively(dir);
    }

    private Process start(String... command) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(process);
        return process;
    }

    @Test
    void catchesALeftoverChildAndKillsIt() throws Exception {
        Set<Long> before = LeakCheck.childPids();
        Process leftover = start("sleep", "30");

        AssertionError error = assertThrows(AssertionError.class,
                () -> LeakCheck.assertNoNewChildren(before, SHORT_SETTLE));

        assertTrue(error.getMessage().contains("1 child process(es) of the test JVM left behind"), error.getMessage());
        assertTrue(error.getMessage().contains("pid " + leftover.pid() + " (sleep)"), error.getMessage());
        assertTrue(leftover.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the check killed the leftover");
    }

    @Test
    void catchesTheGrandchildrenOfALeftoverToo() throws Exception {
        Set<Long> before = LeakCheck.childPids();
        Process shell = start("/bin/sh", "-c", "sleep 30 & sleep 30");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (ProcessTree.descendants(shell.pid()).size() < 2 && System.nanoTime() < deadline) {
            ProcessTree.sleepPoll();
        }
        List<ProcessTree.ProcInfo> grandchildren = ProcessTree.descendants(shell.pid());
        assertEquals(2, grandchildren.size());

        assertThrows(AssertionError.class, () -> LeakCheck.assertNoNewChildren(before, SHORT_SETTLE));

        assertEquals(List.of(), ProcessTree.awaitGone(grandchildren, WAIT), "grandchildren killed as well");
    }

    @Test
    void passesWhenTheChildHasExited() throws Exception {
        Set<Long> before = LeakCheck.childPids();
        Process quick = start("true");
        assertTrue(quick.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        LeakCheck.assertNoNewChildren(before, SHORT_SETTLE);
    }

    @Test
    void childrenThatExistedBeforeAreNotBlamed() throws Exception {
        start("sleep", "30");
        LeakCheck.assertNoNewChildren(LeakCheck.childPids(), SHORT_SETTLE);
    }

    @Test
    void catchesAPathThatShouldBeGoneAndDeletesIt() throws Exception {
        Path socketFile = Files.createFile(dir.resolve("left.sock"));
        Path missing = dir.resolve("never-created");

        AssertionError error = assertThrows(AssertionError.class,
                () -> LeakCheck.assertGone(List.of(missing, socketFile)));

        assertTrue(error.getMessage().contains(socketFile.toString()), error.getMessage());
        assertFalse(error.getMessage().contains(missing.toString()), error.getMessage());
        assertFalse(Files.exists(socketFile));
        LeakCheck.assertGone(List.of(missing, socketFile));
    }

    @Test
    void catchesDescriptorGrowthBeyondTheTolerance() throws Exception {
        Path file = Files.createFile(dir.resolve("held-open"));
        List<String> before = LeakCheck.openFds();
        List<FileChannel> channels = new ArrayList<>();
        try {
            // A few past the tolerance: other threads of this JVM (an HTTP client's pool) may close
            // a descriptor of their own meanwhile.
            for (int i = 0; i < LeakCheck.FD_GROWTH_TOLERANCE + 4; i++) {
                channels.add(FileChannel.open(file, StandardOpenOption.READ));
            }
            AssertionError error = assertThrows(AssertionError.class,
                    () -> LeakCheck.assertFdGrowthWithin(before, LeakCheck.FD_GROWTH_TOLERANCE, SHORT_SETTLE));
            assertTrue(error.getMessage().contains("grew by "), error.getMessage());
            assertTrue(error.getMessage().contains(file.toString()), error.getMessage());

            for (FileChannel channel : channels) {
                channel.close();
            }
            channels.clear();
            LeakCheck.assertFdGrowthWithin(before, LeakCheck.FD_GROWTH_TOLERANCE, SHORT_SETTLE);
        } finally {
            for (FileChannel channel : channels) {
                channel.close();
            }
        }
    }

    @Test
    void openFdsLeavesOutClassPathJars() {
        assertTrue(ProcessTree.fds(ProcessHandle.current().pid()).stream().anyMatch(t -> t.endsWith(".jar")),
                "surefire runs tests with jars open");
        assertFalse(LeakCheck.openFds().stream().anyMatch(t -> t.endsWith(".jar")));
    }
}
