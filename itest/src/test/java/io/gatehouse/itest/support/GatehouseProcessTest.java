package io.gatehouse.itest.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher, against {@link FakeGatehouseMain} packed as a jar whose class path points at
 * the test classes: the real jar is not needed to prove start, signals, exit and cleanup.
 */
@ExtendWith(LeakCheck.class)
class GatehouseProcessTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Path dir;
    private static Path fakeJar;

    @BeforeAll
    static void packFakeJar() throws IOException {
        dir = TempDirs.create("gh-fake");
        LeakCheck.expectGone(dir);
        fakeJar = dir.resolve("fake-gatehouse.jar");
        Path testClasses;
        try {
            testClasses = Path.of(FakeGatehouseMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeGatehouseMain.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, testClasses.toUri().toString());
        try (OutputStream out = Files.newOutputStream(fakeJar);
             JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
    }

    @AfterAll
    static void deleteDir() {
        TempDirs.deleteRecursively(dir);
    }

    private static Path conf(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines));
    }

    private static void awaitLog(GatehouseProcess gatehouse, String text) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!gatehouse.log().contains(text) && System.nanoTime() < deadline) {
            ProcessTree.sleepPoll();
        }
        assertTrue(gatehouse.log().contains(text), "log lacks '" + text + "':\n" + gatehouse.log());
    }

    @Test
    void startsWaitsForThePortDeliversSignalsAndStops() throws IOException {
        int port = FreePort.get();
        GatehouseProcess gatehouse = GatehouseProcess.start(fakeJar, conf("serve.conf", "port = " + port), port,
                START_TIMEOUT);
        long pid = gatehouse.pid();
        try {
            assertTrue(gatehouse.isAlive());
            awaitLog(gatehouse, "listening on 127.0.0.1:" + port);
            ProcInfo info = ProcessTree.info(pid).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), info.ppid());
            assertTrue(info.cmdline().contains("-jar " + fakeJar + " -D -f " + dir.resolve("serve.conf")),
                    info.cmdline());

            gatehouse.signal("USR1");
            awaitLog(gatehouse, "got USR1");
            gatehouse.signal("HUP");
            awaitLog(gatehouse, "got HUP");
            assertThrows(IllegalArgumentException.class, () -> gatehouse.signal("STOP"));
        } finally {
            gatehouse.close();
        }
        assertFalse(ProcessTree.isAlive(pid));
        gatehouse.close();
    }

    @Test
    void intStopsWithStatusZero() throws IOException {
        int port = FreePort.get();
        try (GatehouseProcess gatehouse = GatehouseProcess.start(fakeJar, conf("int.conf", "port = " + port), port,
                START_TIMEOUT)) {
            gatehouse.signal("INT");
            assertEquals(0, gatehouse.waitForExit(WAIT));
            assertTrue(gatehouse.log().contains("got INT, stopping"), gatehouse.log());
            AssertionError error = assertThrows(AssertionError.class, () -> gatehouse.signal("USR1"));
            assertTrue(error.getMessage().contains("already exited with status 0"), error.getMessage());
        }
    }

    @Test
    void deathDuringStartFailsWithTheLogTail() throws IOException {
        int port = FreePort.get();
        Path conf = conf("fail.conf", "port = " + port, "mode = fail");

        AssertionError error = assertThrows(AssertionError.class,
                () -> GatehouseProcess.start(fakeJar, conf, port, START_TIMEOUT));

        assertTrue(error.getMessage().contains("exited during start with status 3"), error.getMessage());
        assertTrue(error.getMessage().contains(conf + ":1:1: config error: fake failure requested"),
                error.getMessage());
    }

    @Test
    void closeFailsAndKillsWhatOutlivedTheProcess() throws IOException {
        int port = FreePort.get();
        GatehouseProcess gatehouse = GatehouseProcess.start(fakeJar,
                conf("orphan.conf", "port = " + port, "mode = orphan"), port, START_TIMEOUT);
        List<ProcInfo> spawned = ProcessTree.descendants(gatehouse.pid()).stream()
                .filter(p -> p.comm().equals("sleep")).collect(Collectors.toList());
        assertEquals(1, spawned.size(), ProcessTree.describeAll(ProcessTree.descendants(gatehouse.pid())));

        AssertionError error = assertThrows(AssertionError.class, gatehouse::close);

        assertTrue(error.getMessage().contains("processes spawned by gatehouse outlived it (now killed)"),
                error.getMessage());
        assertTrue(error.getMessage().contains("pid " + spawned.get(0).pid() + " (sleep)"), error.getMessage());
        assertEquals(List.of(), ProcessTree.awaitGone(spawned, WAIT));
    }

    @Test
    void aMissingJarFailsWithTheFix() {
        Path missing = dir.resolve("no-such.jar");
        AssertionError error = assertThrows(AssertionError.class,
                () -> GatehouseProcess.start(missing, dir.resolve("x.conf"), FreePort.get(), START_TIMEOUT));
        assertTrue(error.getMessage().contains("gatehouse jar not found at " + missing + ": run mvn package first"),
                error.getMessage());
    }

    @Test
    void findsTheRepoRootAndTheJarPath() {
        Path root = GatehouseProcess.repoRoot();
        assertTrue(Files.isDirectory(root.resolve("proxy-core")), root.toString());
        assertTrue(Files.isDirectory(root.resolve("itest")), root.toString());
        assertEquals(root.resolve("proxy-core/target/gatehouse.jar"), GatehouseProcess.jar());
    }
}
