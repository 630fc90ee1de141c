package io.gatehouse.spawn;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.gatehouse.spawn.internal.ProcFs;
import io.gatehouse.spawn.internal.SocketFiles;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Children that die: at once (start-up fails), later (respawn with backoff), or cannot be respawned. */
class CrashAndBackoffTest extends SpawnTestSupport {

    /** The supervisor may use this much CPU while a backend crash-loops for three seconds. */
    private static final long MAX_SUPERVISOR_CPU_MILLIS = 150;

    @Test
    void childExitingAtOnceFailsStartUpNamingProcPathAndStatusAndLeavesNothing() throws Exception {
        Path crash = script("crash.sh", "exit 3");
        Path base = dir.resolve("c.sock");
        SpawnException e = assertThrows(SpawnException.class, () -> start(SpawnSpec.builder("crashy",
                List.of(crash.toString())).socket(base).procs(2).build()));
        assertEquals("GH-SPAWN-003", e.id(), e.getMessage());
        assertTrue(e.getMessage().matches("GH-SPAWN-003 backend \"crashy\" proc \\d \\(" + base + "-\\d\\): child pid \\d+"
                + " exited during start \\(status 3\\): is bin-path a FastCGI/SCGI program that serves the socket on"
                + " fd 0\\? See its stderr: gatehouse's own stderr"), e.getMessage());
        assertFalse(SocketFiles.exists(Path.of(base + "-0")));
        assertFalse(SocketFiles.exists(Path.of(base + "-1")));
    }

    @Test
    void missingInterpreterFailsStartUpWithTheShellHint() throws Exception {
        Path broken = script("broken.sh", "exec /no/such/interpreter");
        Path stderr = dir.resolve("broken.err");
        SpawnException e = assertThrows(SpawnException.class, () -> start(SpawnSpec.builder("broken",
                List.of(broken.toString())).socket(dir.resolve("m.sock")).procs(1).stderrFile(stderr).build()));
        assertTrue(e.getMessage().endsWith("(status 127): a program or interpreter it runs was not found"
                + " (status 127 from a shell). See its stderr: " + stderr), e.getMessage());
        assertTrue(Files.readString(stderr).contains("/no/such/interpreter"), Files.readString(stderr));
    }

    @Test
    void childCrashingLaterIsRespawnedWithGrowingDelaysAndLittleCpu() throws Exception {
        Path flaky = script("flaky.sh", "sleep 0.3\nexit 3");
        SpawnedBackend backend = start(SpawnSpec.builder("flaky", List.of(flaky.toString()))
                .socket(dir.resolve("f.sock")).procs(1).build());
        Thread supervisor = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("gatehouse-spawn-flaky")).findFirst().orElseThrow();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getThreadCpuTime(supervisor.getId());

        Thread.sleep(3000);
        long cpuMillis = (threads.getThreadCpuTime(supervisor.getId()) - cpuBefore) / 1_000_000;
        int restarts = backend.status().get(0).restarts();
        // without backoff a 0.3 s crash loop respawns 9 times in 3 s; with it: at once, +250, +500, +1000 ms
        assertTrue(restarts >= 2 && restarts <= 5, "respawns in 3 s: " + restarts + " " + log);
        assertTrue(cpuMillis <= MAX_SUPERVISOR_CPU_MILLIS, "supervisor CPU " + cpuMillis + " ms in 3 s");
        assertEquals("status 3", backend.status().get(0).lastExit());
        List<String> delays = log.stream().filter(l -> l.contains("respawn scheduled"))
                .map(l -> l.replaceAll(".*\\(in (\\d+) ms\\).*", "$1")).toList();
        assertEquals(List.of("0", "250", "500"), delays.subList(0, 3), log.toString());
    }

    @Test
    void respawnThatCannotSpawnIsRetriedWithBackoffUntilItCan() throws Exception {
        Path child = script("child.sh", "exec sleep 600");
        SpawnedBackend backend = start(SpawnSpec.builder("fickle", List.of(child.toString()))
                .socket(dir.resolve("r.sock")).procs(1).build());
        long first = backend.status().get(0).pid();
        assertEquals(first, backend.pid(0));
        assertTrue(child.toFile().setExecutable(false, false));
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        assertTrue(eventually(2000, () -> log.stream().anyMatch(l -> l.contains("respawn failed")
                && l.contains("EACCES"))), log.toString());
        assertEquals(ProcStatus.State.DOWN, backend.status().get(0).state());
        assertEquals(0, backend.pid(0), "no pid while down");
        assertFalse(backend.isAvailable(0));
        assertFalse(backend.awaitAnyAvailable(Duration.ofMillis(50)), "nothing available while down");

        assertTrue(child.toFile().setExecutable(true, false));
        assertTrue(backend.awaitAnyAvailable(Duration.ofSeconds(3)), "respawned once possible: " + log);
        long second = backend.status().get(0).pid();
        assertTrue(second != first && ProcFs.alive(second));
        assertEquals(second, backend.pid(0));
        assertTrue(backend.isAvailable(0));
    }
}
