package io.gatehouse.spawn;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.spawn.internal.FileTrust;
import io.gatehouse.spawn.internal.NativeLib;

/**
 * The directory gatehouse keeps its own files in (the state file, the embedded default's socket)
 * when the config names no place for them. Never a shared name in /tmp: anybody can create that
 * first, or plant a file or link there. In order:
 * <ol>
 * <li>{@code $RUNTIME_DIRECTORY} (systemd's {@code RuntimeDirectory=}, its first entry);</li>
 * <li>for root, {@code /run/gatehouse};</li>
 * <li>{@code $XDG_RUNTIME_DIR/gatehouse} (the per-user {@code /run/user/UID});</li>
 * <li>{@code <java.io.tmpdir>/gatehouse-<uid>}.</li>
 * </ol>
 * The directory is created with mode 0700 when missing. Whatever its origin, it is used only when
 * it is a real directory (not a symbolic link) owned by gatehouse's effective uid, writable by
 * nobody else, on a path only root and that uid can change ({@link #problem}); otherwise the start fails with
 * {@code GH-SPAWN-012} naming the problem (someone else created it first, for instance).
 *
 * <p>Stateless; thread-safe.
 */
public final class RuntimeDirectory {

    /** Root's directory when systemd gives none. */
    public static final Path ROOT_DEFAULT = Path.of("/run/gatehouse");
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private RuntimeDirectory() {
    }

    /**
     * The runtime directory for this process, created if missing and verified.
     *
     * @param environment the process environment ({@code RUNTIME_DIRECTORY}, {@code XDG_RUNTIME_DIR})
     * @param tmpdir      the last resort's parent, usually {@code java.io.tmpdir}
     * @throws SpawnException GH-SPAWN-012 when the directory cannot be created or is not private;
     *                        GH-SPAWN-006 when the native binding is unavailable
     */
    public static Path resolve(Map<String, String> environment, Path tmpdir) throws SpawnException {
        int euid = NativeLib.get().euid();
        Path dir = choose(environment, tmpdir, euid).toAbsolutePath().normalize();
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        } catch (FileAlreadyExistsException e) {
            // verified below, like one we created: it may be someone else's
        } catch (IOException e) {
            throw new SpawnException("GH-SPAWN-012 cannot create the runtime directory " + dir + ": " + e
                    + ": create it (owned by gatehouse's user, mode 0700) or set RUNTIME_DIRECTORY", e);
        }
        // a name gatehouse picks and creates itself is never a link, whoever made it
        Optional<String> problem = Files.isSymbolicLink(dir) ? Optional.of(dir + " is a symbolic link") : problem(dir);
        if (problem.isPresent()) {
            throw new SpawnException("GH-SPAWN-012 runtime directory " + dir + " is not private to gatehouse's user"
                    + " (uid " + euid + "): " + problem.get() + ": remove it or set RUNTIME_DIRECTORY or"
                    + " XDG_RUNTIME_DIR to a directory only that user can write");
        }
        return dir;
    }

    static Path choose(Map<String, String> environment, Path tmpdir, int euid) {
        String systemd = environment.get("RUNTIME_DIRECTORY");
        if (systemd != null && !systemd.isBlank()) {
            return Path.of(systemd.split(":")[0]);
        }
        if (euid == 0) {
            return ROOT_DEFAULT;
        }
        String xdg = environment.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "gatehouse");
        }
        return tmpdir.resolve("gatehouse-" + euid);
    }

    /**
     * Why {@code dir} is not fit for files only gatehouse may write (empty when it is): it must
     * lead to a directory owned by gatehouse's effective uid and writable by nobody else, on a
     * path only root and that uid can change (a link owned by root, like /var/run, is fine).
     *
     * @throws SpawnException GH-SPAWN-012 when it cannot be inspected; GH-SPAWN-006 when the
     *                        native binding is unavailable
     */
    public static Optional<String> problem(Path dir) throws SpawnException {
        try {
            return FileTrust.privateDirectoryProblem(dir, NativeLib.get().euid()).map(FileTrust.Problem::describe);
        } catch (IOException e) {
            throw new SpawnException("GH-SPAWN-012 cannot inspect " + dir + ": " + e, e);
        }
    }
}
