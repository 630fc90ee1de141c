package io.gatehouse.itest.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Temporary directories for test fixtures: created directly under {@code /tmp} with a short
 * prefix so that unix socket paths inside them stay well under the 108-byte {@code sun_path}
 * limit, whatever {@code java.io.tmpdir} says.
 *
 * <p>Stateless and thread-safe.
 */
public final class TempDirs {

    /** Unix socket paths must fit {@code sun_path} (108 bytes); we keep a margin for file names. */
    public static final int MAX_SOCKET_PATH_BYTES = 100;
    /** Longest directory we hand out, so a socket name of up to 40 bytes still fits the limit above. */
    private static final int MAX_DIR_BYTES = 60;
    private static final Path ROOT = Paths.get("/tmp");

    private TempDirs() {
    }

    /** A new empty directory {@code /tmp/<prefix><random>}. The caller deletes it. */
    public static Path create(String prefix) {
        try {
            Path dir = Files.createTempDirectory(ROOT, prefix);
            int length = dir.toString().getBytes(StandardCharsets.UTF_8).length;
            if (length > MAX_DIR_BYTES) {
                deleteRecursively(dir);
                throw new IllegalArgumentException("temp dir " + dir + " is " + length
                        + " bytes, limit " + MAX_DIR_BYTES + ": use a shorter prefix than '" + prefix + "'");
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir under " + ROOT, e);
        }
    }

    /** Deletes {@code dir} and everything below it; a missing directory is fine. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
