package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jnr.ffi.Pointer;

/**
 * Reads and writes the files gatehouse keeps for itself and acts on (the state file). A file is
 * read only through one descriptor opened with O_NOFOLLOW: the owner, type and mode are checked
 * on that descriptor (a stat of its {@code /proc/self/fd} link) and the bytes come from it, so nobody can swap the file between the
 * check and the read. A rewrite goes to a new file with an unpredictable name, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (so nothing planted under that name is written through), then renamed
 * over the old one.
 *
 * <p>Stateless; thread-safe.
 */
public final class OwnFiles {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TEMP_NAME_BYTES = 8;
    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);

    private OwnFiles() {
    }

    /**
     * The bytes of {@code path}, or empty if it does not exist.
     *
     * @throws IOException naming why the file is not trusted (a symbolic link, not a regular file,
     *                     owned by another user, writable by group or others, larger than
     *                     {@code maxBytes}) or why it could not be read
     */
    public static Optional<byte[]> readIfOwn(NativeLib lib, Path path, long maxBytes) throws IOException {
        LibC libc = lib.libc();
        // O_NONBLOCK: a fifo planted at the path must not hang the open
        int fd = libc.open(lib.cString(path.toString()),
                NativeLib.O_RDONLY | NativeLib.O_NOFOLLOW | NativeLib.O_NONBLOCK | NativeLib.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = lib.lastErrno();
            if (errno == NativeLib.ENOENT) {
                return Optional.empty();
            }
            if (errno == NativeLib.ELOOP) {
                throw new IOException(path + " is a symbolic link, which gatehouse does not follow");
            }
            throw new IOException("cannot open " + path + ": " + lib.describeErrno(errno));
        }
        try {
            // stat follows the descriptor's link to the file opened, whatever sits at the path now
            Map<String, Object> stat = Files.readAttributes(NativeLib.openFileLink(fd), "unix:uid,mode,size");
            FileTrust.Attributes file = new FileTrust.Attributes((Integer) stat.get("uid"), (Integer) stat.get("mode"));
            long size = (Long) stat.get("size");
            int euid = lib.euid();
            if (!file.isRegularFile() || file.uid() != euid || (file.mode() & FileTrust.WRITABLE_BY_OTHERS) != 0) {
                throw new IOException(path + " is not a regular file owned by uid " + euid
                        + " and writable by it alone (" + file.typeName() + ", owner " + FileTrust.owner(path, file.uid())
                        + ", mode " + FileTrust.octal(file.mode()) + ")");
            }
            if (size > maxBytes) {
                throw new IOException(path + " is " + size + " bytes, the limit is " + maxBytes);
            }
            return Optional.of(readAll(lib, fd, path, (int) size));
        } finally {
            libc.close(fd);
        }
    }

    private static byte[] readAll(NativeLib lib, int fd, Path path, int size) throws IOException {
        // one byte more than fstat's size tells a file that changed under us
        int capacity = size + 1;
        Pointer buffer = lib.allocate(capacity);
        int total = 0;
        while (total < capacity) {
            long n = lib.libc().read(fd, buffer.slice(total), capacity - total);
            if (n < 0) {
                int errno = lib.lastErrno();
                if (errno == NativeLib.EINTR) {
                    continue;
                }
                throw new IOException("cannot read " + path + ": " + lib.describeErrno(errno));
            }
            if (n == 0) {
                break;
            }
            total += (int) n;
        }
        if (total != size) {
            throw new IOException(path + " changed while it was read (" + size + " bytes, read " + total + ")");
        }
        byte[] bytes = new byte[total];
        buffer.get(0, bytes, 0, total);
        return bytes;
    }

    /**
     * Replaces {@code path} with {@code content} atomically, mode 0644 (less if the umask says so):
     * a reader sees the old file or the new one, never a part.
     */
    public static void replace(Path path, byte[] content) throws IOException {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp-" + HexFormat.of().formatHex(randomBytes()));
        SeekableByteChannel created = Files.newByteChannel(temp, CREATE_NEW,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        boolean moved = false;
        try {
            try (SeekableByteChannel channel = created) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            // rename(2): replaces whatever is at path, a symbolic link included, without following it
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[TEMP_NAME_BYTES];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
