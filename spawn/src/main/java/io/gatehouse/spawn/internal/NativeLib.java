package io.gatehouse.spawn.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.gatehouse.spawn.SpawnException;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.constants.platform.Signal;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Loads {@link LibC} once, checks that the glibc functions the spawner needs exist, and offers the
 * small helpers every native call needs: C strings, errno names, signal names. Linux/glibc only:
 * the constants below are Linux's (x86_64 and aarch64 agree on all of them).
 *
 * <p>Thread-safe: the instance is immutable after loading.
 */
public final class NativeLib {

    /**
     * Bytes allocated for each opaque glibc struct. Measured with sizeof on glibc 2.36 x86_64:
     * posix_spawn_file_actions_t 80, posix_spawnattr_t 336, sigset_t 128, siginfo_t 128. One KiB
     * leaves room for any layout change without tracking glibc versions.
     */
    public static final int OPAQUE_STRUCT_BYTES = 1024;

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;

    public static final int O_WRONLY = 1;
    public static final int O_CREAT = 0100;
    public static final int O_APPEND = 02000;
    public static final int O_RDONLY = 0;
    /** Differs between architectures (x86_64 0400000, aarch64 0100000): taken from jnr-constants. */
    public static final int O_NOFOLLOW = OpenFlags.O_NOFOLLOW.intValue();
    public static final int O_NONBLOCK = OpenFlags.O_NONBLOCK.intValue();
    public static final int O_CLOEXEC = OpenFlags.O_CLOEXEC.intValue();

    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    public static final short POSIX_SPAWN_SETSID = 0x80;

    public static final int WNOHANG = 1;
    public static final int WEXITED = 4;
    public static final int WNOWAIT = 0x01000000;
    public static final int P_PID = 1;

    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int ECHILD = 10;
    public static final int ENOENT = 2;
    public static final int ELOOP = 40;

    private static volatile NativeLib instance;

    private final LibC libc;
    private final Runtime runtime;
    private final Charset charset;

    private NativeLib(LibC libc) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.charset = fileNameCharset();
    }

    /**
     * The loaded library; the first call loads it (jnr-ffi generates its stubs then, which costs
     * up to a second).
     *
     * @throws SpawnException GH-SPAWN-006 when libc cannot be bound or lacks a needed function
     */
    public static NativeLib get() throws SpawnException {
        NativeLib loaded = instance;
        if (loaded != null) {
            return loaded;
        }
        synchronized (NativeLib.class) {
            if (instance == null) {
                instance = load();
            }
            return instance;
        }
    }

    private static NativeLib load() throws SpawnException {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            throw new SpawnException("GH-SPAWN-006 spawning backends needs Linux with glibc, this is " + os
                    + ": run the backend yourself and configure it with host/port or socket, without bin-path");
        }
        NativeLib lib;
        try {
            lib = new NativeLib(LibraryLoader.create(LibC.class).load("c"));
        } catch (LinkageError | RuntimeException e) {
            throw new SpawnException("GH-SPAWN-006 cannot bind libc through jnr-ffi (" + e
                    + "): java.io.tmpdir must allow executing the unpacked jffi library", e);
        }
        lib.checkGlibcFunctions();
        return lib;
    }

    /** Calls the glibc 2.29/2.34 additions once, so a too old glibc fails here and not mid-spawn. */
    private void checkGlibcFunctions() throws SpawnException {
        Pointer actions = allocate();
        try {
            check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
            try {
                check("posix_spawn_file_actions_addclosefrom_np",
                        libc.posix_spawn_file_actions_addclosefrom_np(actions, 3));
                check("posix_spawn_file_actions_addchdir_np",
                        libc.posix_spawn_file_actions_addchdir_np(actions, cString("/")));
            } finally {
                libc.posix_spawn_file_actions_destroy(actions);
            }
        } catch (LinkageError e) {
            throw new SpawnException("GH-SPAWN-006 this C library lacks " + e.getMessage()
                    + ": spawning needs glibc 2.34 or later (posix_spawn_file_actions_addclosefrom_np)", e);
        }
    }

    private void check(String function, int rc) throws SpawnException {
        if (rc != 0) {
            throw new SpawnException("GH-SPAWN-006 " + function + " failed: " + describeErrno(rc)
                    + ": spawning needs glibc 2.34 or later");
        }
    }

    public LibC libc() {
        return libc;
    }

    /**
     * The kernel's link to the file descriptor {@code fd} of this process is open on: a stat
     * through it describes the open file, whatever sits at the path it was opened by now.
     */
    public static Path openFileLink(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** The effective uid: the user whose files gatehouse trusts. */
    public int euid() {
        return libc.geteuid();
    }

    /** The errno saved by the last {@code @SaveError} call on this thread. */
    public int lastErrno() {
        return LastError.getLastError(runtime);
    }

    /** Zeroed memory for one opaque struct; freed when the pointer becomes unreachable. */
    public Pointer allocate() {
        return Memory.allocateDirect(runtime, OPAQUE_STRUCT_BYTES, true);
    }

    public Pointer allocate(int bytes) {
        return Memory.allocateDirect(runtime, bytes, true);
    }

    /** NUL-terminated bytes of {@code value} in the charset the JDK uses for file names. */
    public Pointer cString(String value) {
        byte[] bytes = value.getBytes(charset);
        Pointer memory = Memory.allocateDirect(runtime, bytes.length + 1, true);
        memory.put(0, bytes, 0, bytes.length);
        return memory;
    }

    public byte[] bytes(String value) {
        return value.getBytes(charset);
    }

    /**
     * A NULL-terminated {@code char *[]}. The returned holder keeps the strings reachable; keep it
     * until the native call returns.
     */
    public CStringArray cStringArray(List<String> values) {
        List<Pointer> strings = new ArrayList<>(values.size());
        Pointer array = Memory.allocateDirect(runtime, (values.size() + 1) * runtime.addressSize(), true);
        for (int i = 0; i < values.size(); i++) {
            Pointer string = cString(values.get(i));
            strings.add(string);
            array.putPointer((long) i * runtime.addressSize(), string);
        }
        array.putPointer((long) values.size() * runtime.addressSize(), null);
        return new CStringArray(array, strings);
    }

    /** {@code ECONNREFUSED (Connection refused)}; unknown values keep their number. */
    public String describeErrno(int errno) {
        return errnoName(errno) + " (" + libc.strerror(errno) + ")";
    }

    public static String errnoName(int errno) {
        Errno known = Errno.valueOf(errno);
        return known == null || known == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : known.name();
    }

    /** {@code SIGTERM}, or {@code signal 42} for numbers without a name. */
    public static String signalName(int signal) {
        Signal known = Signal.valueOf(signal);
        return known == null || known == Signal.__UNKNOWN_CONSTANT__ ? "signal " + signal : known.name();
    }

    private static Charset fileNameCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** A native {@code char *[]} and the strings it points at. */
    public record CStringArray(Pointer array, List<Pointer> strings) {
    }
}
