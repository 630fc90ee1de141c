package io.gatehouse.spawn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OpenedFile}: what it describes is the file it opened, even once another file is renamed
 * over the path; what is not a regular file is refused without waiting (a FIFO with no writer).
 */
class OpenedFileTest {

    @TempDir
    Path dir;

    @Test
    void describesAndReadsTheFileItOpenedWhateverIsRenamedOverThePathAfter() throws Exception {
        Path path = Files.writeString(dir.resolve("a.txt"), "first");
        Files.setLastModifiedTime(path, FileTime.from(Instant.parse("2024-05-06T07:08:09.123456789Z")));
        Map<String, Object> before = Files.readAttributes(path, "unix:ino,size,lastModifiedTime");
        try (OpenedFile opened = OpenedFile.openRegular(path).orElseThrow()) {
            Path other = Files.writeString(dir.resolve("b.txt"), "a longer second file");
            Files.move(other, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(before.get("ino"), opened.inode());
            assertEquals(5L, opened.size());
            assertEquals(before.get("lastModifiedTime"), opened.modified(), "nanoseconds included");
            ByteBuffer content = ByteBuffer.allocate(64);
            opened.channel().read(content, 0);
            assertEquals("first", new String(content.array(), 0, content.position(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aFifoWithoutAWriterIsRefusedAtOnce() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mkfifo.waitFor(5, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        long started = System.nanoTime();
        assertEquals(Optional.empty(), OpenedFile.openRegular(fifo));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "did not wait for a writer");
    }

    @Test
    void aDirectoryIsNoRegularFile() throws Exception {
        assertEquals(Optional.empty(), OpenedFile.openRegular(Files.createDirectory(dir.resolve("d"))));
    }

    @Test
    void aSymbolicLinkIsFollowedAsLighttpdFollowsIt() throws Exception {
        Path target = Files.writeString(dir.resolve("target.txt"), "via link");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), target);
        try (OpenedFile opened = OpenedFile.openRegular(link).orElseThrow()) {
            assertEquals(8L, opened.size());
        }
    }

    @Test
    void missingFilesAndPathsThroughAFileAreNoSuchFile() throws Exception {
        assertThrows(NoSuchFileException.class, () -> OpenedFile.openRegular(dir.resolve("missing")));
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertThrows(NoSuchFileException.class, () -> OpenedFile.openRegular(file.resolve("below")));
    }
}
