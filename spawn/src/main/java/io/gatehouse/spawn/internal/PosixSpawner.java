package io.gatehouse.spawn.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.gatehouse.spawn.SpawnException;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Starts one backend child with posix_spawn. What the child gets:
 * <ul>
 * <li>fd 0 = the listening socket (dup2), fd 1 = /dev/null, fd 2 = the given file opened for
 *     appending, or our own stderr; every descriptor from 3 up closed (addclosefrom_np), because
 *     the JVM opens its jars, sockets and logs without close-on-exec;</li>
 * <li>cwd = the given directory (addchdir_np);</li>
 * <li>an empty signal mask and default dispositions for every signal: Java threads block signals
 *     such as SIGQUIT, and a blocked mask survives exec;</li>
 * <li>its own session and process group (pgid == pid), so the whole backend, workers included,
 *     can be signalled with kill(-pid, sig).</li>
 * </ul>
 * glibc's posix_spawn uses clone(CLONE_VM | CLONE_VFORK), which is safe in a multi-threaded JVM,
 * and reports a failing file action or exec as its return value.
 *
 * <p>Stateless; thread-safe.
 */
public final class PosixSpawner {

    private static final String DEV_NULL = "/dev/null";
    private static final int STDERR_FILE_MODE = 0644;
    private static final int FIRST_FD_TO_CLOSE = 3;

    private PosixSpawner() {
    }

    /**
     * Spawns {@code program} with {@code argv} and {@code envp} and returns the child's pid.
     * {@code program} must be absolute: it is executed after the chdir.
     *
     * @throws SpawnException GH-SPAWN-004 with the errno posix_spawn returned
     */
    public static long spawn(NativeLib lib, Path program, List<String> argv, List<String> envp, int listenFd,
                             Optional<Path> stderrFile, Path workingDirectory, String context) throws SpawnException {
        LibC libc = lib.libc();
        Pointer actions = lib.allocate();
        Pointer attr = lib.allocate();
        Pointer emptyMask = lib.allocate();
        Pointer allSignals = lib.allocate();
        // keep every native string reachable until posix_spawn has returned
        Pointer devNull = lib.cString(DEV_NULL);
        Pointer stderrPath = stderrFile.map(p -> lib.cString(p.toAbsolutePath().toString())).orElse(null);
        Pointer directory = lib.cString(workingDirectory.toString());
        Pointer programPath = lib.cString(program.toString());
        NativeLib.CStringArray nativeArgv = lib.cStringArray(argv);
        NativeLib.CStringArray nativeEnvp = lib.cStringArray(envp);

        require(lib, "posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions), context);
        try {
            require(lib, "posix_spawnattr_init", libc.posix_spawnattr_init(attr), context);
            try {
                require(lib, "adddup2", libc.posix_spawn_file_actions_adddup2(actions, listenFd, 0), context);
                require(lib, "addopen /dev/null", libc.posix_spawn_file_actions_addopen(actions, 1, devNull,
                        NativeLib.O_WRONLY, 0), context);
                if (stderrPath != null) {
                    require(lib, "addopen stderr", libc.posix_spawn_file_actions_addopen(actions, 2, stderrPath,
                            NativeLib.O_WRONLY | NativeLib.O_APPEND | NativeLib.O_CREAT, STDERR_FILE_MODE), context);
                }
                require(lib, "addclosefrom_np",
                        libc.posix_spawn_file_actions_addclosefrom_np(actions, FIRST_FD_TO_CLOSE), context);
                require(lib, "addchdir_np", libc.posix_spawn_file_actions_addchdir_np(actions, directory), context);

                require(lib, "sigemptyset", libc.sigemptyset(emptyMask), context);
                require(lib, "sigfillset", libc.sigfillset(allSignals), context);
                require(lib, "setsigmask", libc.posix_spawnattr_setsigmask(attr, emptyMask), context);
                require(lib, "setsigdefault", libc.posix_spawnattr_setsigdefault(attr, allSignals), context);
                require(lib, "setflags", libc.posix_spawnattr_setflags(attr, (short) (NativeLib.POSIX_SPAWN_SETSIGMASK
                        | NativeLib.POSIX_SPAWN_SETSIGDEF | NativeLib.POSIX_SPAWN_SETSID)), context);

                IntByReference pid = new IntByReference();
                int rc = libc.posix_spawn(pid, programPath, actions, attr, nativeArgv.array(), nativeEnvp.array());
                if (rc != 0) {
                    throw spawnFailed(lib, rc, program.toString(), stderrFile, workingDirectory, context);
                }
                return pid.intValue();
            } finally {
                libc.posix_spawnattr_destroy(attr);
            }
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
        }
    }

    private static void require(NativeLib lib, String step, int rc, String context) throws SpawnException {
        if (rc != 0) {
            throw new SpawnException("GH-SPAWN-004 " + context + ": preparing posix_spawn (" + step + ") failed: "
                    + lib.describeErrno(rc) + ": this should not happen; report it with the glibc version");
        }
    }

    private static SpawnException spawnFailed(NativeLib lib, int errno, String program, Optional<Path> stderrFile,
                                              Path workingDirectory, String context) {
        String name = NativeLib.errnoName(errno);
        String hint = switch (name) {
            case "ENOEXEC" -> program + " is not a binary the kernel can run: a script needs a #! line";
            case "ENOENT" -> program + " or its #! interpreter does not exist"
                    + stderrFile.map(p -> ", or the directory of " + p + " does not exist").orElse("");
            case "EACCES", "EPERM" -> "permission denied on " + program + ", its interpreter, "
                    + workingDirectory + stderrFile.map(p -> " or " + p).orElse("");
            case "EMFILE", "ENFILE", "EAGAIN", "ENOMEM" -> "the system is out of processes, memory or descriptors";
            default -> "check bin-path " + program;
        };
        return new SpawnException("GH-SPAWN-004 " + context + ": posix_spawn of " + program + " failed: "
                + lib.describeErrno(errno) + ": " + hint);
    }
}
