package io.gatehouse.spawn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.gatehouse.spawn.internal.ProcFs;
import io.gatehouse.spawn.internal.SocketFiles;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SpawnedBackend#launchAll} and {@link SpawnedBackend#stopAll}: every backend of a
 * generation brought up and taken down at once, and a failure of one leaving none running.
 */
class LaunchAllTest extends SpawnTestSupport {

    private static final int PROCS = 3;

    @Test
    void severalBackendsOfSeveralProcsComeUpTogetherAndStopTogether() throws Exception {
        Path server = script("serve.sh", "exec sleep 600");
        List<SpawnSpec> specs = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            specs.add(SpawnSpec.builder(name, List.of(server.toString())).socket(dir.resolve(name + ".sock"))
                    .procs(PROCS).build());
        }

        List<SpawnedBackend> backends = launchAll(specs, StateFile.at(dir.resolve("children")));

        assertEquals(List.of("a", "b", "c"), backends.stream().map(SpawnedBackend::label).toList(), "in spec order");
        Set<Long> pids = new HashSet<>();
        for (SpawnedBackend backend : backends) {
            for (ProcStatus proc : backend.status()) {
                assertEquals(ProcStatus.State.STARTING, proc.state(), backend.label() + ": " + proc);
                assertTrue(ProcFs.alive(proc.pid()), backend.label() + ": " + proc);
                assertTrue(SocketFiles.exists(Path.of(proc.address())), proc.address());
                pids.add(proc.pid());
            }
            backend.confirmStarted();
        }
        assertEquals(3 * PROCS, pids.size(), "one child per proc: " + pids);

        List<StopReport> reports = SpawnedBackend.stopAll(backends);

        assertEquals(List.of("a", "b", "c"), reports.stream().map(StopReport::label).toList());
        for (StopReport report : reports) {
            assertTrue(report.verified(), report.summary());
            assertEquals(PROCS, report.signalled(), report.summary());
        }
        for (long pid : pids) {
            assertFalse(ProcFs.alive(pid), "pid " + pid + " outlived stopAll");
        }
    }

    @Test
    void oneBackendFailingToLaunchStopsTheOthersAndNamesIt() throws Exception {
        Path server = script("serve.sh", "exec sleep 600");
        Path blocked = dir.resolve("b.sock-1");
        Files.writeString(blocked, "not a socket");
        List<SpawnSpec> specs = List.of(
                SpawnSpec.builder("a", List.of(server.toString())).socket(dir.resolve("a.sock")).procs(PROCS).build(),
                SpawnSpec.builder("b", List.of(server.toString())).socket(dir.resolve("b.sock")).procs(PROCS).build(),
                SpawnSpec.builder("c", List.of(server.toString())).socket(dir.resolve("c.sock")).procs(PROCS).build());

        SpawnException e = assertThrows(SpawnException.class,
                () -> SpawnedBackend.launchAll(specs, SpawnEvents.lines(log::add), StateFile.at(dir.resolve("children"))));

        assertEquals("GH-SPAWN-002", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains("backend \"b\" proc 1"), e.getMessage());
        assertEquals("not a socket", Files.readString(blocked), "a path that is not a socket is never deleted");
        Files.delete(blocked);
        assertNoChildren();
        assertFalse(Files.exists(dir.resolve("children")), "no child left recorded in the state file");
        // the checks after each test: no socket file of a, b or c left, no descriptor leaked
    }
}
