package io.gatehouse.spawn;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where gatehouse keeps its own files, and the directories it refuses for them. */
class RuntimeDirectoryTest {

    private static final Path TMP = Path.of("/tmp");

    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = Files.createTempDirectory(TMP, "ghr");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        SpawnTestPaths.deleteRecursively(dir);
    }

    @Test
    void systemdFirstThenRunForRootThenXdgThenAPerUidNameUnderTmpdir() {
        Map<String, String> xdg = Map.of("XDG_RUNTIME_DIR", "/run/user/1000");
        assertEquals(Path.of("/srv/rt"),
                RuntimeDirectory.choose(Map.of("RUNTIME_DIRECTORY", "/srv/rt:/srv/other", "XDG_RUNTIME_DIR", "/x"),
                        TMP, 1000));
        assertEquals(RuntimeDirectory.ROOT_DEFAULT, RuntimeDirectory.choose(xdg, TMP, 0));
        assertEquals(Path.of("/run/user/1000/gatehouse"), RuntimeDirectory.choose(xdg, TMP, 1000));
        assertEquals(Path.of("/tmp/gatehouse-1000"), RuntimeDirectory.choose(Map.of(), TMP, 1000));
        assertEquals(Path.of("/tmp/gatehouse-1000"),
                RuntimeDirectory.choose(Map.of("XDG_RUNTIME_DIR", "relative"), TMP, 1000));
    }

    @Test
    void missingDirectoryIsCreatedPrivate() throws Exception {
        Path runtime = dir.resolve("rt");
        assertEquals(runtime, RuntimeDirectory.resolve(Map.of("RUNTIME_DIRECTORY", runtime.toString()), TMP));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime)));
    }

    @Test
    void directoryPreCreatedByAnotherUserIsRefusedNamingTheOwner() throws Exception {
        Path runtime = Files.createDirectory(dir.resolve("rt"));
        OtherUser.owns(runtime);
        SpawnException e = assertThrows(SpawnException.class,
                () -> RuntimeDirectory.resolve(Map.of("RUNTIME_DIRECTORY", runtime.toString()), TMP));
        assertEquals("GH-SPAWN-012", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains(runtime + " is owned by uid " + OtherUser.uid() + " (" + OtherUser.NAME
                + ")"), e.getMessage());
    }

    @Test
    void symlinkPlantedAtTheNameIsRefused() throws Exception {
        Path ours = Files.createDirectory(dir.resolve("ours"));
        Path runtime = Files.createSymbolicLink(dir.resolve("rt"), ours);
        SpawnException e = assertThrows(SpawnException.class,
                () -> RuntimeDirectory.resolve(Map.of("RUNTIME_DIRECTORY", runtime.toString()), TMP));
        assertEquals("GH-SPAWN-012", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertTrue(Files.isSymbolicLink(runtime), "left as it was");
    }

    @Test
    void directoryOthersCanWriteIsRefused() throws Exception {
        Path runtime = Files.createDirectory(dir.resolve("rt"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxrwxrwx"));
        SpawnException e = assertThrows(SpawnException.class,
                () -> RuntimeDirectory.resolve(Map.of("RUNTIME_DIRECTORY", runtime.toString()), TMP));
        assertEquals("GH-SPAWN-012", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains("writable by group or others (mode 777)"), e.getMessage());
        assertTrue(Files.isDirectory(runtime, LinkOption.NOFOLLOW_LINKS));
    }
}
