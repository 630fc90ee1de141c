package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * File-system facts about unix socket paths. A socket file is only ever unlinked when it is still
 * the one we bound (same inode): a path someone else bound after us is not ours to remove.
 *
 * <p>Stateless; thread-safe.
 */
public final class SocketFiles {

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFiles() {
    }

    /** True when {@code path} exists (without following a final symlink). */
    public static boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /** True when {@code path} is a socket file (a symlink to one does not count). */
    public static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFSOCK;
    }

    /** True when {@code path} itself (not what a symbolic link points at) belongs to {@code uid}. */
    public static boolean ownedBy(Path path, int uid) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) == uid;
        } catch (IOException e) {
            return false;
        }
    }

    /** The inode of the socket at {@code path}, or empty if there is none or it is no socket. */
    public static OptionalLong socketInode(Path path) {
        try {
            if (!isSocket(path)) {
                return OptionalLong.empty();
            }
            return OptionalLong.of((Long) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Unlinks {@code path} if it is a socket with inode {@code inode}. Returns true if it was
     * unlinked or already gone, false if something else is there now (left alone).
     */
    public static boolean unlinkIfOurs(Path path, long inode) throws IOException {
        OptionalLong found = socketInode(path);
        if (found.isEmpty()) {
            return !exists(path);
        }
        if (found.getAsLong() != inode) {
            return false;
        }
        try {
            Files.delete(path);
        } catch (NoSuchFileException e) {
            // gone already, which is what we wanted
        }
        return true;
    }
}
