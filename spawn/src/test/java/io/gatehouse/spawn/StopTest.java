package io.gatehouse.spawn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.gatehouse.spawn.internal.ProcFs;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stopping: kill-signal, escalation to SIGKILL, whole process groups, pending respawns. */
class StopTest extends SpawnTestSupport {

    private static final Duration KILL_TIMEOUT = Duration.ofMillis(500);

    @Test
    void childIgnoringTheKillSignalGetsSigkillAfterKillTimeoutAndIsReaped() throws Exception {
        Path stubborn = script("stubborn.sh", "trap '' TERM\nexec sleep 600");
        SpawnedBackend backend = start(SpawnSpec.builder("stubborn", List.of(stubborn.toString()))
                .socket(dir.resolve("s.sock")).procs(2).killTimeout(KILL_TIMEOUT).build());
        List<Long> pids = backend.status().stream().map(ProcStatus::pid).toList();
        StopReport report = backend.stop();
        assertTrue(report.verified(), report.summary());
        assertEquals(2, report.signalled());
        assertEquals(pids, report.escalated());
        assertTrue(report.elapsed().compareTo(KILL_TIMEOUT) >= 0, report.summary());
        assertTrue(report.elapsed().compareTo(KILL_TIMEOUT.plusSeconds(2)) < 0, report.summary());
        for (ProcStatus proc : backend.status()) {
            assertEquals(ProcStatus.State.STOPPED, proc.state());
            assertEquals("signal 9 (SIGKILL)", proc.lastExit());
        }
        pids.forEach(pid -> assertFalse(ProcFs.stat(pid).isPresent(), "pid " + pid + " reaped"));
        assertTrue(log.stream().anyMatch(l -> l.contains("pid " + pids.get(0)) && l.contains("escalated")), log.toString());
        assertSame(report, backend.stop(), "stop is idempotent");
    }

    @Test
    void workerOutlivingItsLeaderIsKilledWithTheGroup() throws Exception {
        Path master = script("master.sh", "(trap '' TERM; exec sleep 600) &\necho $! > " + dir.resolve("worker.pid")
                + "\nexec sleep 600");
        SpawnedBackend backend = start(SpawnSpec.builder("master", List.of(master.toString()))
                .socket(dir.resolve("w.sock")).procs(1).killTimeout(KILL_TIMEOUT).build());
        Path workerFile = dir.resolve("worker.pid");
        assertTrue(eventually(2000, () -> workerFile.toFile().length() > 0));
        long worker = Long.parseLong(Files.readString(workerFile).trim());
        long leader = backend.status().get(0).pid();
        assertEquals(leader, ProcFs.stat(worker).orElseThrow().processGroup());

        StopReport report = backend.stop();
        assertTrue(report.verified(), report.summary());
        assertEquals(List.of(leader), report.escalated());
        assertEquals("signal 15 (SIGTERM)", backend.status().get(0).lastExit(), "the leader obeyed SIGTERM");
        assertFalse(ProcFs.alive(worker), "the worker ignoring SIGTERM got SIGKILL with its group");
    }

    /** Repeated: the race it guards against (a fork between two reads of /proc) is hit about one time in four. */
    @RepeatedTest(5)
    void aGroupMemberForkedWhileTheGroupExitsIsWaitedFor() throws Exception {
        // On SIGTERM the worker starts a straggler in the group, then exits: once every member
        // known so far is gone, the stop must look again and wait for the straggler too.
        Path straggler = dir.resolve("straggler.pid");
        Path master = script("master.sh", "(trap 'sleep 0.4 & echo $! > " + straggler + "; exit 0' TERM;"
                + " while :; do sleep 0.05; done) &\nexec sleep 600");
        SpawnedBackend backend = start(SpawnSpec.builder("master", List.of(master.toString()))
                .socket(dir.resolve("s.sock")).procs(1).killTimeout(Duration.ofSeconds(5)).build());
        long leader = backend.status().get(0).pid();
        assertTrue(eventually(2000, () -> ProcFs.all().stream()
                .filter(stat -> stat.processGroup() == leader && !stat.zombie()).count() >= 2), "the worker runs");

        StopReport report = backend.stop();

        assertTrue(report.verified(), report.summary());
        assertEquals(List.of(), report.escalated(), "every member left on SIGTERM; none needed SIGKILL");
        long late = Long.parseLong(Files.readString(straggler).trim());
        assertFalse(ProcFs.liveInGroup(late, leader), "the stop returned while the straggler " + late + " ran");
        assertTrue(report.elapsed().toMillis() >= 300, "waited for the straggler's 0.4 s: " + report.summary());
    }

    @Test
    void aMemberThatLeavesTheGroupWithoutExitingDoesNotHoldTheStopUntilKillTimeout() throws Exception {
        // On SIGTERM the worker counts for a while (no process starts or ends meanwhile), then
        // leaves the group (setsid, same pid) and goes on running: its pidfd never turns
        // readable, so the stop must see the group empty by looking at it.
        Path workerFile = dir.resolve("worker.pid");
        Path master = script("master.sh", "(trap 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done;"
                + " exec setsid sleep 30' TERM; while :; do sleep 0.05; done) &\n"
                + "echo $! > " + workerFile + "\nexec sleep 600");
        SpawnedBackend backend = start(SpawnSpec.builder("master", List.of(master.toString()))
                .socket(dir.resolve("l.sock")).procs(1).killTimeout(Duration.ofSeconds(5)).build());
        assertTrue(eventually(2000, () -> workerFile.toFile().length() > 0));
        long worker = Long.parseLong(Files.readString(workerFile).trim());
        long leader = backend.status().get(0).pid();
        try {
            StopReport report = backend.stop();

            assertTrue(report.verified(), report.summary());
            assertEquals(List.of(), report.escalated(), "the group emptied on SIGTERM; nothing needed SIGKILL");
            assertTrue(report.elapsed().toMillis() < 2000, "ended without the kill-timeout: " + report.summary());
            assertTrue(ProcFs.alive(worker), "the worker left the group and runs on");
            assertNotEquals(leader, ProcFs.stat(worker).orElseThrow().processGroup());
        } finally {
            ProcessHandle.of(worker).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void stopCancelsAPendingRespawn() throws Exception {
        Path flaky = script("flaky.sh", "sleep 0.2\nexit 1");
        SpawnedBackend backend = start(SpawnSpec.builder("pending", List.of(flaky.toString()))
                .socket(dir.resolve("p.sock")).procs(1).build());
        assertTrue(eventually(3000, () -> backend.status().get(0).restarts() >= 2
                && backend.status().get(0).state() == ProcStatus.State.DOWN), log.toString());
        StopReport report = backend.stop();
        assertTrue(report.verified(), report.summary());
        assertEquals(0, report.signalled(), "nothing was running");
        assertTrue(report.elapsed().toMillis() < 500, report.summary());
        int spawns = (int) log.stream().filter(l -> l.contains(": spawned")).count();
        Thread.sleep(1500);
        assertEquals(spawns, log.stream().filter(l -> l.contains(": spawned")).count(), "no respawn after stop");
        assertEquals(ProcStatus.State.STOPPED, backend.status().get(0).state());
        assertFalse(backend.awaitAnyAvailable(Duration.ofSeconds(5)), "a stopped backend answers at once");
    }

    @Test
    void requestsArrivingWhileEveryProcIsDownCanWaitForTheRespawn() throws Exception {
        Path child = script("child.sh", "exec sleep 600");
        SpawnedBackend backend = start(SpawnSpec.builder("waiter", List.of(child.toString()))
                .socket(dir.resolve("a.sock")).procs(1).build());
        assertTrue(backend.awaitAnyAvailable(Duration.ZERO));
        long old = backend.status().get(0).pid();
        ProcessHandle.of(old).orElseThrow().destroyForcibly();
        assertTrue(eventually(1000, () -> backend.status().get(0).pid() != old));
        assertTrue(backend.awaitAnyAvailable(Duration.ofSeconds(3)));
        assertTrue(backend.isAvailable(0));
    }
}
