package io.gatehouse.spawn;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;

import io.gatehouse.spawn.internal.FileTrust;
import io.gatehouse.spawn.internal.LibC;
import io.gatehouse.spawn.internal.NativeLib;

/**
 * A regular file opened for reading, with its inode, size and modification time taken from the
 * open file itself: one path look-up, so what is described is what is read, whatever is renamed
 * over the path meanwhile. The JDK cannot open without blocking (a FIFO put at the path would hold
 * the opening thread until a writer comes) nor stat an open channel; so the path is opened by
 * {@code open(2)} with {@code O_NONBLOCK}, and the descriptor is then looked at and reopened for
 * Java through {@code /proc/self/fd}, which names the open file, not the path. Symbolic links
 * are followed, as lighttpd's {@code server.follow-symlink} does by default. Linux only.
 *
 * @param channel  the file, open for reading; the caller closes it
 * @param inode    its inode number
 * @param size     its size in bytes when it was opened
 * @param modified its modification time, nanoseconds included
 */
public record OpenedFile(FileChannel channel, long inode, long size, FileTime modified) implements Closeable {

    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;

    /**
     * Opens {@code path} for reading, if it names a regular file.
     *
     * @return empty when it names something else (a directory, a FIFO, a device, a socket)
     * @throws NoSuchFileException   when nothing is there
     * @throws AccessDeniedException when it may not be read
     * @throws IOException           when it cannot be opened or looked at for another reason, or
     *                               the native binding cannot be loaded (GH-SPAWN-006)
     */
    public static Optional<OpenedFile> openRegular(Path path) throws IOException {
        NativeLib lib;
        try {
            lib = NativeLib.get();
        } catch (SpawnException e) {
            throw new IOException(e.getMessage(), e);
        }
        LibC libc = lib.libc();
        int fd = libc.open(lib.cString(path.toString()), NativeLib.O_RDONLY | NativeLib.O_NONBLOCK | NativeLib.O_CLOEXEC,
                0);
        if (fd < 0) {
            int errno = lib.lastErrno();
            if (errno == NativeLib.ENOENT || errno == ENOTDIR) {
                throw new NoSuchFileException(path.toString());
            }
            if (errno == EACCES) {
                throw new AccessDeniedException(path.toString());
            }
            throw new IOException("cannot open " + path + ": " + lib.describeErrno(errno));
        }
        try {
            Path open = NativeLib.openFileLink(fd);
            // stat follows the descriptor's link to the open file, not the path it was opened by
            Map<String, Object> attributes = Files.readAttributes(open, "unix:mode,ino,size,lastModifiedTime");
            if (!FileTrust.Attributes.isRegularFile((Integer) attributes.get("mode"))) {
                return Optional.empty();
            }
            // A regular file: reopening it cannot block; the blocking channel the JDK needs for sendfile.
            FileChannel channel = FileChannel.open(open, StandardOpenOption.READ);
            return Optional.of(new OpenedFile(channel, (Long) attributes.get("ino"), (Long) attributes.get("size"),
                    (FileTime) attributes.get("lastModifiedTime")));
        } finally {
            libc.close(fd);
        }
    }

    /**
     * Loads the native binding now, so the first file served does not wait for it (up to a second
     * or more on a loaded machine); what fails here fails again, with its message, at the first open.
     */
    public static void prepare() {
        try {
            NativeLib.get();
        } catch (SpawnException e) {
            // reported by openRegular, when a file is asked for
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
