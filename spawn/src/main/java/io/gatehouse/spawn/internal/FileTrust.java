package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether another user could change what a path names. A directory is safe when every directory
 * on the way to it (the path as written and its real path) belongs to root or to us and is
 * writable by nobody else, or, like /tmp, carries the sticky bit: then nobody else can rename or
 * remove what we put there. Each component is looked at with lstat; once the chain is safe,
 * nobody but us and root can swap it between this check and our use of the path.
 *
 * <p>Stateless; thread-safe.
 */
public final class FileTrust {

    /** Group- and world-writable bits of a file mode. */
    public static final int WRITABLE_BY_OTHERS = 0022;
    private static final int STICKY = 01000;
    private static final int ROOT = 0;

    private FileTrust() {
    }

    /** Why a path cannot be trusted. */
    public enum Kind {
        /** Owned by a user other than us and root. */
        FOREIGN_OWNER,
        /** Writable by group or others, without the sticky bit (or at all, for a private directory). */
        WRITABLE_BY_OTHERS,
        /** Not a directory. */
        NOT_A_DIRECTORY,
        /** Does not exist. */
        MISSING
    }

    /** One reason not to trust {@code path}; {@link #describe()} is the text for an error message. */
    public record Problem(Kind kind, Path path, int uid, int mode) {

        public String describe() {
            return switch (kind) {
                case FOREIGN_OWNER -> path + " is owned by " + owner(path, uid);
                case WRITABLE_BY_OTHERS -> path + " is writable by group or others (mode " + octal(mode) + ")"
                        + ((mode & STICKY) == 0 ? " without the sticky bit" : "");
                case NOT_A_DIRECTORY -> path + " is not a directory";
                case MISSING -> path + " does not exist";
            };
        }
    }

    /**
     * The first problem with {@code dir} as a directory for sockets: the chain up to it may only
     * belong to root or {@code euid}; group- or world-writable directories need the sticky bit.
     */
    public static Optional<Problem> socketDirectoryProblem(Path dir, int euid) throws IOException {
        return chainProblem(dir, euid, false);
    }

    /**
     * The first problem with {@code dir} as a directory for files only we may write (state file,
     * pid file): as {@link #socketDirectoryProblem}, and the directory it leads to is owned by
     * {@code euid} and writable by nobody else.
     */
    public static Optional<Problem> privateDirectoryProblem(Path dir, int euid) throws IOException {
        return chainProblem(dir, euid, true);
    }

    private static Optional<Problem> chainProblem(Path dir, int euid, boolean privateDir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Path real;
        try {
            real = absolute.toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.of(new Problem(Kind.MISSING, absolute, -1, 0));
        }
        // a symbolic link on the way (/var/run -> /run) is fine when root or we own it: only its
        // owner can change it; both the path as written and the path it leads to are checked
        List<Path> chain = new ArrayList<>(prefixes(absolute));
        chain.addAll(prefixes(real));
        for (Path p : chain) {
            Attributes a = Attributes.of(p);
            if (a.uid() != ROOT && a.uid() != euid) {
                return Optional.of(new Problem(Kind.FOREIGN_OWNER, p, a.uid(), a.mode()));
            }
            if (a.isDirectory() && (a.mode() & WRITABLE_BY_OTHERS) != 0 && (a.mode() & STICKY) == 0) {
                return Optional.of(new Problem(Kind.WRITABLE_BY_OTHERS, p, a.uid(), a.mode()));
            }
        }
        Attributes last = Attributes.of(real);
        if (!last.isDirectory()) {
            return Optional.of(new Problem(Kind.NOT_A_DIRECTORY, absolute, last.uid(), last.mode()));
        }
        if (privateDir && last.uid() != euid) {
            return Optional.of(new Problem(Kind.FOREIGN_OWNER, real, last.uid(), last.mode()));
        }
        if (privateDir && (last.mode() & WRITABLE_BY_OTHERS) != 0) {
            return Optional.of(new Problem(Kind.WRITABLE_BY_OTHERS, real, last.uid(), last.mode()));
        }
        return Optional.empty();
    }

    /** {@code /}, {@code /a}, {@code /a/b} for {@code /a/b}. */
    private static List<Path> prefixes(Path absolute) {
        List<Path> prefixes = new ArrayList<>();
        Path current = absolute.getRoot();
        prefixes.add(current);
        for (Path name : absolute) {
            current = current.resolve(name);
            prefixes.add(current);
        }
        return prefixes;
    }

    /** The owner and mode (type bits included) of a path itself: a symbolic link is not followed. */
    public record Attributes(int uid, int mode) {

        private static final int S_IFMT = 0170000;
        private static final int S_IFDIR = 0040000;
        private static final int S_IFREG = 0100000;
        private static final int S_IFSOCK = 0140000;

        public static Attributes of(Path path) throws IOException {
            return new Attributes((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        }

        public boolean isDirectory() {
            return (mode & S_IFMT) == S_IFDIR;
        }

        public boolean isSocket() {
            return (mode & S_IFMT) == S_IFSOCK;
        }

        public boolean isRegularFile() {
            return isRegularFile(mode);
        }

        /** Whether {@code mode}'s type bits say a regular file. */
        public static boolean isRegularFile(int mode) {
            return (mode & S_IFMT) == S_IFREG;
        }

        /** {@code a regular file}, {@code a directory}, {@code a FIFO}, ... for messages. */
        public String typeName() {
            return switch ((mode & S_IFMT) >> 12) {
                case 001 -> "a FIFO";
                case 002 -> "a character device";
                case 004 -> "a directory";
                case 006 -> "a block device";
                case 010 -> "a regular file";
                case 012 -> "a symbolic link";
                case 014 -> "a socket";
                default -> "file type " + Integer.toOctalString(mode & S_IFMT);
            };
        }
    }

    /** {@code uid 998 (www-data)}, or {@code uid 998} when the name cannot be looked up. */
    public static String owner(Path path, int uid) {
        try {
            String name = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
            return name.equals(Integer.toString(uid)) ? "uid " + uid : "uid " + uid + " (" + name + ")";
        } catch (IOException e) {
            return "uid " + uid;
        }
    }

    /** {@code 1777}, {@code 755}: the permission bits in octal. */
    public static String octal(int mode) {
        return Integer.toOctalString(mode & 07777);
    }
}
