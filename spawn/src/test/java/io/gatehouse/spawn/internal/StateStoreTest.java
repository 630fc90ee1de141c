package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.gatehouse.spawn.SpawnTestPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state file's format: written, read back, odd labels and paths, damaged lines. */
class StateStoreTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ghs");
    }

    @AfterEach
    void deleteDirectory() throws Exception {
        SpawnTestPaths.deleteRecursively(dir);
    }

    @Test
    void recordsRoundTripAndTheFileGoesWhenEmpty() throws Exception {
        Path file = dir.resolve("sub/state");
        StateStore store = new StateStore(file);
        ChildRecord a = new ChildRecord("php main", 0, 100, 5555, 15, 5000, "/tmp/with space/p.sock-0", 77);
        ChildRecord b = new ChildRecord("l\u00e4bel%+", 1, 101, 5556, 10, 250, "", 0);
        store.recorded(a);
        store.recorded(b);
        StateStore.Contents contents = new StateStore(file).read(NativeLib.get());
        assertEquals(List.of(a, b), contents.children());
        assertEquals(ProcessHandle.current().pid(), contents.ownerPid());
        assertEquals(store.ownStartTime(), contents.ownerStartTime());
        assertTrue(store.isOwnLive(100));
        store.forgotten(100);
        assertEquals(List.of(b), new StateStore(file).read(NativeLib.get()).children());
        store.forgotten(101);
        assertFalse(Files.exists(file));
        assertEquals(List.of(), tempFiles(dir.resolve("sub")), "no temp file left");
    }

    @Test
    void damagedLinesAreReportedNotTrusted() throws Exception {
        Path file = dir.resolve("state");
        Files.writeString(file, "# comment\nowner 1 2\nchild 12 x 15 500 0 0 a -\nchild 13 1\nsomething else\n"
                + "child 14 9 15 500 0 1 b %2Ftmp%2Fs\n");
        StateStore.Contents contents = new StateStore(file).read(NativeLib.get());
        assertEquals(List.of(new ChildRecord("b", 1, 14, 9, 15, 500, "/tmp/s", 0)), contents.children());
        assertEquals(List.of("child 12 x 15 500 0 0 a -", "child 13 1", "something else"), contents.badLines());
        assertEquals(1, contents.ownerPid());
    }

    private static List<Path> tempFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().contains(".tmp")).toList();
        }
    }
}
