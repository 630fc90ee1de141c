package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The spool files of request and response bodies, in {@code server.upload-dirs}: each created
 * under a random name (never an existing file or link), mode 0600, and unlinked as soon as it is
 * open, so that nothing is left behind however the exchange ends and nobody else can open it.
 *
 * <p>Thread-safe; it blocks on the file system, so it is called off the I/O threads.
 */
final class SpoolFiles {

    private SpoolFiles() {
    }

    /**
     * A new file in the first of {@code dirs} that takes one, already unlinked.
     *
     * @param prefix what the file's name starts with while it has one
     * @throws IOException naming every directory tried and why it failed
     */
    static FileChannel openUnlinked(List<Path> dirs, String prefix) throws IOException {
        List<String> failures = new ArrayList<>();
        for (Path dir : dirs) {
            Path file = null;
            try {
                file = Files.createTempFile(dir, prefix, ".tmp");
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
                Files.delete(file);
                return channel;
            } catch (IOException e) {
                failures.add(dir + ": " + e.getMessage());
                deleteQuietly(file);
            }
        }
        throw new IOException(dirs.isEmpty() ? "server.upload-dirs is empty" : String.join("; ", failures));
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // Reported with the failure that brought us here.
            }
        }
    }
}
