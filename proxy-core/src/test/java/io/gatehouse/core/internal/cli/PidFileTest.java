package io.gatehouse.core.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PidFileTest {

    /** Any uid but ours: ownership is what matters, not whether a user has that uid. */
    private static final int OTHER_UID = 4242;

    private Path dir;
    private Path file;

    @BeforeEach
    void createDir() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "gh-pid");
        file = dir.resolve("gatehouse.pid");
    }

    @AfterEach
    void deleteDir() throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void writesThisPidAndRemovesItOnlyWhileItIsOurs() throws IOException {
        PidFile pid = PidFile.claim(file);
        pid.write();
        assertEquals(OptionalLong.of(ProcessHandle.current().pid()), PidFile.read(file));
        pid.remove();
        assertFalse(Files.exists(file));

        pid.write();
        Files.writeString(file, "12345\n"); // someone else's now
        pid.remove();
        assertTrue(Files.exists(file), "removed a pid file naming another process");
    }

    @Test
    void aStalePidFileIsClaimedAndAMissingOneReadsEmpty() throws IOException {
        assertEquals(OptionalLong.empty(), PidFile.read(file));
        Files.writeString(file, "1\n"); // init is running but is no gatehouse
        PidFile.claim(file).write();
        assertEquals(OptionalLong.of(ProcessHandle.current().pid()), PidFile.read(file));
    }

    @Test
    void contentThatIsNoPidFailsNamingIt() throws IOException {
        Files.writeString(file, "gatehouse\n");
        IOException notAPid = assertThrows(IOException.class, () -> PidFile.read(file));
        assertTrue(notAPid.getMessage().contains("\"gatehouse\", not a pid"), notAPid.getMessage());
        Files.writeString(file, "0\n");
        assertThrows(IOException.class, () -> PidFile.read(file));
        Files.writeString(file, "1".repeat(100));
        IOException tooLong = assertThrows(IOException.class, () -> PidFile.read(file));
        assertTrue(tooLong.getMessage().contains("100 bytes, more than the limit of 64"), tooLong.getMessage());
    }

    @Test
    void onlyAGatehouseCommandLineCountsAsRunningGatehouse() {
        assertFalse(PidFile.isGatehouse(1), "init is not a gatehouse");
        assertFalse(PidFile.isGatehouse(Integer.MAX_VALUE), "no such process");
    }

    @Test
    void pidFileInADirectoryOthersCanWriteIsRefused() throws IOException {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> PidFile.claim(shared.resolve("gatehouse.pid")));
        assertTrue(e.getMessage().startsWith("GH-PID-002 pid file " + shared.resolve("gatehouse.pid")), e.getMessage());
        assertTrue(e.getMessage().contains("writable by group or others (mode 777)"), e.getMessage());
    }

    @Test
    void pidFileInADirectoryOfAnotherUserIsRefused() throws IOException {
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", OTHER_UID, LinkOption.NOFOLLOW_LINKS);
        IOException e = assertThrows(IOException.class, () -> PidFile.claim(theirs.resolve("gatehouse.pid")));
        assertTrue(e.getMessage().contains(theirs + " is owned by uid " + OTHER_UID), e.getMessage());
    }

    @Test
    void pidFileBehindALinkOfRootOrOursIsAcceptedAsVarRunIs() throws IOException {
        Path run = Files.createDirectory(dir.resolve("run"));
        Path varRun = Files.createSymbolicLink(dir.resolve("var-run"), run);
        PidFile.claim(varRun.resolve("gatehouse.pid")).write();
        assertEquals(OptionalLong.of(ProcessHandle.current().pid()), PidFile.read(run.resolve("gatehouse.pid")));
    }

    @Test
    void pidFileBehindALinkOfAnotherUserIsRefused() throws IOException {
        Path run = Files.createDirectory(dir.resolve("run"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), run);
        Files.setAttribute(link, "unix:uid", OTHER_UID, LinkOption.NOFOLLOW_LINKS);
        IOException e = assertThrows(IOException.class, () -> PidFile.claim(link.resolve("gatehouse.pid")));
        assertTrue(e.getMessage().contains(link + " is owned by uid " + OTHER_UID), e.getMessage());
    }

    @Test
    void preCreatedTempNameIsNotWrittenThrough() throws IOException {
        Path precious = Files.writeString(dir.resolve("precious"), "precious\n");
        Files.createSymbolicLink(dir.resolve("gatehouse.pid.tmp"), precious);
        PidFile.claim(file).write();
        assertEquals(OptionalLong.of(ProcessHandle.current().pid()), PidFile.read(file));
        assertEquals("precious\n", Files.readString(precious));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("gatehouse.pid.tmp")), files
                    .filter(p -> p.getFileName().toString().startsWith("gatehouse.pid.")).toList(),
                    "no temp file of ours is left, the planted link is not touched");
        }
    }
}
