package io.gatehouse.spawn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.gatehouse.spawn.internal.ProcFs;
import io.gatehouse.spawn.internal.SocketFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Children of a gatehouse killed with SIGKILL are found and stopped by the next start. */
class StateFileTest extends SpawnTestSupport {

    /** Reads that must see each side of the flip (file there, file gone) before the race test ends. */
    private static final int FLIP_HITS = 50;
    private static final long FLIP_SECONDS = 20;

    private Process victim;

    @Test
    void leftoversOfAKilledParentAreKilledAndUnlinkedButARecycledPidIsNot() throws Exception {
        Path php = requireBinary("/usr/bin/php-cgi", "php-cgi");
        Path state = dir.resolve("run/gatehouse.state");
        Path base = dir.resolve("left.sock");
        List<String> command = new ArrayList<>(ForeignBackendsSpawnTest.javaMain(LeftBehindBackend.class.getName()));
        command.addAll(List.of(state.toString(), base.toString(), php.toString()));
        Process parent = new ProcessBuilder(command).redirectError(dir.resolve("parent.err").toFile()).start();
        Process unrelated = null;
        try {
            List<Long> children = readyPids(parent);
            assertEquals(2, children.size());
            parent.destroyForcibly();
            assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
            List<Long> workers = new ArrayList<>();
            for (long child : children) {
                assertTrue(ProcFs.alive(child), "orphan " + child + " still serving");
                ProcFs.all().stream().filter(s -> s.processGroup() == child && s.pid() != child && !s.zombie())
                        .forEach(s -> workers.add(s.pid()));
            }
            assertFalse(workers.isEmpty(), "php-cgi runs a worker per child");
            assertEquals(2, Files.readAllLines(state).stream().filter(l -> l.startsWith("child ")).count());

            unrelated = new ProcessBuilder("sleep", "60").start();
            long stranger = unrelated.pid();
            long realStart = ProcFs.stat(stranger).orElseThrow().startTime();
            Files.writeString(state, "child " + stranger + " " + (realStart + 1) + " 15 500 0 0 other -\n",
                    StandardOpenOption.APPEND);

            StateFile.LeftoverReport report = StateFile.at(state).reapLeftovers(SpawnEvents.lines(log::add));
            assertEquals(children, report.killed());
            assertEquals(List.of(Path.of(base + "-0"), Path.of(base + "-1")), report.unlinked());
            assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("pid " + stranger + " is another process")),
                    report.notes().toString());
            for (long pid : children) {
                assertFalse(ProcFs.alive(pid), "leftover " + pid + " killed");
            }
            for (long pid : workers) {
                assertFalse(ProcFs.alive(pid), "leftover worker " + pid + " killed with its group");
            }
            assertFalse(SocketFiles.exists(Path.of(base + "-0")));
            assertTrue(unrelated.isAlive(), "a recycled pid is never signalled");
            assertFalse(Files.exists(state), "nothing left to record");
            assertTrue(log.stream().anyMatch(l -> l.contains("proc 0 pid " + children.get(0)) && l.contains("killed")),
                    log.toString());
        } finally {
            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            if (unrelated != null) {
                unrelated.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void stateFileOfARunningOwnerIsRefused() throws Exception {
        Process owner = new ProcessBuilder("sleep", "60").start();
        try {
            Process victim = new ProcessBuilder("sleep", "60").start();
            try {
                long ownerStart = ProcFs.stat(owner.pid()).orElseThrow().startTime();
                long victimStart = ProcFs.stat(victim.pid()).orElseThrow().startTime();
                Path state = dir.resolve("shared.state");
                Files.writeString(state, "owner " + owner.pid() + " " + ownerStart + "\nchild " + victim.pid() + " "
                        + victimStart + " 15 500 0 0 theirs -\n");
                SpawnException e = assertThrows(SpawnException.class,
                        () -> StateFile.at(state).reapLeftovers(SpawnEvents.none()));
                assertEquals("GH-SPAWN-009", e.id(), e.getMessage());
                assertTrue(e.getMessage().contains("gatehouse pid " + owner.pid() + ", which is running"));
                assertTrue(victim.isAlive());
            } finally {
                victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            owner.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void stateFileOthersMayWriteIsNotBelieved() throws Exception {
        Path state = dir.resolve("open.state");
        Files.writeString(state, victimRecord("forged"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertNotBelieved(state, "GH-SPAWN-009", "mode 666");
    }

    @Test
    void forgedStateFileOwnedByAnotherUserIsNeverReadNorDeleted() throws Exception {
        Path state = dir.resolve("forged.state");
        Files.writeString(state, victimRecord("forged"));
        OtherUser.owns(state);
        assertNotBelieved(state, "GH-SPAWN-009", "(" + OtherUser.NAME + ")");
        assertEquals(victimRecord("forged"), Files.readString(state), "the file is left alone");
    }

    @Test
    void forgedStateFileFlippedInAndOutOfTheNameIsNeverBelieved() throws Exception {
        // The attack on two look-ups (check the path, then read the path): the name is empty at
        // the check and holds the forged file at the read. One descriptor serves both now.
        Path state = dir.resolve("flipped.state");
        Path away = dir.resolve("away");
        Files.writeString(away, victimRecord("flipped"));
        OtherUser.owns(away);
        AtomicBoolean flipping = new AtomicBoolean(true);
        AtomicReference<IOException> flipFailed = new AtomicReference<>();
        Thread flipper = new Thread(() -> {
            try {
                while (flipping.get()) {
                    Files.move(away, state, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(state, away, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                // the forged file vanished: something deleted a file it had not read
                flipFailed.set(e);
                flipping.set(false);
            }
        }, "flipper");
        flipper.start();
        int refused = 0;
        int absent = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLIP_SECONDS);
        try {
            // read until both sides of the flip were hit often, whatever the machine's speed
            while ((refused < FLIP_HITS || absent < FLIP_HITS) && flipping.get() && System.nanoTime() - deadline < 0) {
                try {
                    StateFile.LeftoverReport report = StateFile.at(state).reapLeftovers(SpawnEvents.none());
                    assertEquals(List.of(), report.killed(), "the forged record was acted on");
                    absent++;
                } catch (SpawnException e) {
                    assertEquals("GH-SPAWN-009", e.id(), e.getMessage());
                    refused++;
                }
                assertTrue(victim.isAlive(), "a read killed the victim");
            }
        } finally {
            flipping.set(false);
            flipper.join();
        }
        assertEquals(null, flipFailed.get(), "the forged file was deleted");
        assertTrue(refused >= FLIP_HITS && absent >= FLIP_HITS, "both sides of the flip were read: " + refused
                + " refused, " + absent + " absent");
    }

    @Test
    void stateFileThatIsASymlinkIsNotFollowed() throws Exception {
        // the target is a perfectly good file of ours: only the link is wrong
        Path target = dir.resolve("elsewhere.state");
        Files.writeString(target, victimRecord("linked"));
        assertNotBelieved(Files.createSymbolicLink(dir.resolve("link.state"), target), "GH-SPAWN-009",
                "symbolic link");
    }

    @Test
    void fifoAtTheStatePathIsRefusedWithoutHanging() throws Exception {
        Path state = dir.resolve("fifo.state");
        assertEquals(0, new ProcessBuilder("mkfifo", state.toString()).start().waitFor());
        SpawnException e = assertThrows(SpawnException.class,
                () -> StateFile.at(state).reapLeftovers(SpawnEvents.none()));
        assertEquals("GH-SPAWN-009", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"symlink", "world-writable file"})
    void preCreatedTempNameIsNotWrittenThrough(String planted) throws Exception {
        Path child = script("child.sh", "exec sleep 600");
        Path state = dir.resolve("own.state");
        Path oldTemp = dir.resolve("own.state.tmp");
        Path precious = dir.resolve("precious");
        Files.writeString(precious, "precious\n");
        if (planted.equals("symlink")) {
            Files.createSymbolicLink(oldTemp, precious);
        } else {
            Files.writeString(oldTemp, "planted\n");
            Files.setPosixFilePermissions(oldTemp, PosixFilePermissions.fromString("rw-rw-rw-"));
        }
        StateFile stateFile = StateFile.at(state);
        SpawnedBackend backend = start(SpawnSpec.builder("t", List.of(child.toString()))
                .socket(dir.resolve("t.sock")).procs(1).build(), stateFile);
        assertEquals(List.of(backend.status().get(0).pid()), recordedPids(state));
        assertTrue(Files.isRegularFile(state, LinkOption.NOFOLLOW_LINKS));
        assertEquals("precious\n", Files.readString(precious), "nothing written through the planted link");
        if (!planted.equals("symlink")) {
            assertEquals("planted\n", Files.readString(oldTemp), "the planted file is not the temp file");
        }
        assertTrue(backend.stop().verified());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(oldTemp), files.filter(p -> p.getFileName().toString().startsWith("own.state"))
                    .toList(), "no temp file of ours is left, the planted one is not removed");
        }
    }

    @Test
    void stateFileInADirectoryOthersCanWriteIsRefusedEvenWithTheStickyBit() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(0, new ProcessBuilder("chmod", "+t", shared.toString()).start().waitFor());
        Path state = shared.resolve("gatehouse.state");
        Files.writeString(state, victimRecord("planted"));
        assertNotBelieved(state, "GH-SPAWN-012", shared + " is writable by group or others (mode 1777)");
    }

    @Test
    void stateFileInADirectoryOfAnotherUserIsRefusedNamingTheOwner() throws Exception {
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.writeString(theirs.resolve("gatehouse.state"), victimRecord("planted"));
        OtherUser.owns(theirs);
        assertNotBelieved(theirs.resolve("gatehouse.state"), "GH-SPAWN-012",
                theirs + " is owned by uid " + OtherUser.uid() + " (" + OtherUser.NAME + ")");
    }

    @Test
    void liveChildrenAreRecordedOnEverySpawnAndExitAndTheFileGoesWithTheLast() throws Exception {
        Path child = script("child.sh", "exec sleep 600");
        Path state = dir.resolve("own.state");
        StateFile stateFile = StateFile.at(state);
        assertEquals(new StateFile.LeftoverReport(List.of(), List.of(), List.of()),
                stateFile.reapLeftovers(SpawnEvents.none()), "no file, nothing to do");
        SpawnedBackend backend = start(SpawnSpec.builder("own label", List.of(child.toString()))
                .socket(dir.resolve("o.sock")).procs(2).build(), stateFile);
        long first = backend.status().get(0).pid();
        assertEquals(List.of(first, backend.status().get(1).pid()), recordedPids(state));
        assertTrue(Files.readString(state).contains(" own+label "), "labels are encoded");
        assertTrue(Files.readString(state).contains("owner " + ProcessHandle.current().pid() + " "));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));

        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        assertTrue(eventually(3000, () -> backend.isAvailable(0) && backend.status().get(0).pid() != first));
        assertTrue(eventually(1000, () -> recordedPids(state).size() == 2 && !recordedPids(state).contains(first)),
                "the dead pid was replaced: " + recordedPids(state));
        assertEquals(new StateFile.LeftoverReport(List.of(), List.of(), List.of()),
                stateFile.reapLeftovers(SpawnEvents.none()), "our own live children are not leftovers");
        assertTrue(backend.isAvailable(0) && backend.isAvailable(1));

        assertTrue(backend.stop().verified());
        assertFalse(Files.exists(state));
    }

    /** A record naming a live process of ours, which a believed state file would get killed. */
    private String victimRecord(String label) throws IOException {
        if (victim == null) {
            victim = new ProcessBuilder("sleep", "60").start();
        }
        long start = ProcFs.stat(victim.pid()).orElseThrow().startTime();
        return "child " + victim.pid() + " " + start + " 9 500 0 0 " + label + " -\n";
    }

    private void assertNotBelieved(Path state, String id, String text) {
        SpawnException e = assertThrows(SpawnException.class,
                () -> StateFile.at(state).reapLeftovers(SpawnEvents.none()));
        assertEquals(id, e.id(), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
        assertTrue(victim.isAlive(), "the record was not acted on");
    }

    @AfterEach
    void stopVictim() throws InterruptedException {
        if (victim != null) {
            victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<Long> recordedPids(Path state) {
        try {
            return Files.readAllLines(state).stream().filter(l -> l.startsWith("child "))
                    .map(l -> Long.parseLong(l.split(" ")[1])).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<Long> readyPids(Process parent) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String ready = line.get(60, TimeUnit.SECONDS);
        assertTrue(ready != null && ready.startsWith("READY "), "parent said " + ready);
        return Arrays.stream(ready.substring(6).split(" ")).map(Long::parseLong).toList();
    }
}
