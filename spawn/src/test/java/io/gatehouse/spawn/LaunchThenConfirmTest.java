package io.gatehouse.spawn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.gatehouse.spawn.internal.SocketFiles;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SpawnedBackend#launch} then {@link SpawnedBackend#confirmStarted}: what a restart uses to
 * release held requests while the start-up check still runs.
 */
class LaunchThenConfirmTest extends SpawnTestSupport {

    @Test
    void aLaunchedBackendServesARequestBeforeItsStartupCheckEnds() throws Exception {
        Path php = requireBinary("/usr/bin/php-cgi", "php-cgi");
        Path script = dir.resolve("hello.php");
        Files.writeString(script, "<?php echo 'pid=' . getmypid();\n");
        SpawnedBackend backend = launch(SpawnSpec.builder("php", List.of(php.toString()))
                .socket(dir.resolve("php.sock")).procs(1).environment(Map.of("PHP_FCGI_CHILDREN", "1")).build(),
                StateFile.at(dir.resolve("children")));
        assertEquals(ProcStatus.State.STARTING, backend.status().get(0).state());
        assertTrue(backend.isAvailable(0), "a STARTING proc is in rotation");

        String answer = PhpCgiSpawnTest.request(backend.addresses().get(0), script, "GET", "");

        assertTrue(answer.contains("pid="), answer);
        assertEquals(ProcStatus.State.STARTING, backend.status().get(0).state(),
                "answered within the start-up check's window: " + log);
        backend.confirmStarted();
        assertEquals(ProcStatus.State.RUNNING, backend.status().get(0).state());
    }

    @Test
    void aLaunchedChildThatDiesFailsTheConfirmationAndLeavesNothing() throws Exception {
        Path crash = dir.resolve("crash.sh");
        Files.writeString(crash, "#!/bin/sh\nsleep 0.05\nexit 3\n");
        assertTrue(crash.toFile().setExecutable(true));
        Path base = dir.resolve("c.sock");
        SpawnedBackend backend = launch(SpawnSpec.builder("crashy", List.of(crash.toString()))
                .socket(base).procs(2).build(), StateFile.at(dir.resolve("children")));
        assertTrue(SocketFiles.exists(Path.of(base + "-1")), "bound before the check");

        SpawnException e = assertThrows(SpawnException.class, backend::confirmStarted);

        assertEquals("GH-SPAWN-003", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains("exited during start (status 3)"), e.getMessage());
        assertFalse(SocketFiles.exists(Path.of(base + "-0")));
        assertFalse(SocketFiles.exists(Path.of(base + "-1")));
        assertEquals(List.of(ProcStatus.State.STOPPED, ProcStatus.State.STOPPED),
                backend.status().stream().map(ProcStatus::state).toList());
    }
}
