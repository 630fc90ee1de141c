package io.gatehouse.spawn.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few glibc functions the spawner calls, bound through jnr-ffi. Our own binding rather than
 * jnr-posix: its {@code posix_spawnp} cannot close inherited descriptors, cannot reset the signal
 * mask and loses the errno that posix_spawn returns; and binding all of libc, as it does, doubles
 * the time the first native call waits for (jnr-ffi generates a stub for every function, about
 * 0.6 s on two busy cores).
 *
 * <p>Opaque glibc structs ({@code posix_spawn_file_actions_t}, {@code posix_spawnattr_t},
 * {@code sigset_t}) are passed as pointers to memory the caller allocates; see
 * {@link NativeLib#OPAQUE_STRUCT_BYTES}. Strings are passed as pointers to NUL-terminated bytes
 * the caller encodes, so the encoding is ours and not jnr-ffi's default charset.
 *
 * <p>Thread-safe as libc is: every function here is MT-safe.
 */
public interface LibC {

    /** Returns 0 or an errno value: posix_spawn does not set errno. */
    int posix_spawn(@Out IntByReference pid, Pointer path, Pointer fileActions, Pointer attr,
                    Pointer argv, Pointer envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, Pointer path, int flags, int mode);

    /** glibc 2.34 and later. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    /** glibc 2.29 and later. */
    int posix_spawn_file_actions_addchdir_np(Pointer fileActions, Pointer path);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigmask(Pointer attr, @In Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, @In Pointer sigset);

    int sigemptyset(Pointer sigset);

    int sigfillset(Pointer sigset);

    @SaveError
    int kill(int pid, int signal);

    /** Never fails. */
    int geteuid();

    /** {@code limits}: two {@code rlim_t} (soft, hard), 64 bits each on 64-bit Linux. */
    @SaveError
    int getrlimit(int resource, @Out Pointer limits);

    @SaveError
    int setrlimit(int resource, @In Pointer limits);

    @SaveError
    int waitpid(int pid, @Out IntByReference status, int options);

    @SaveError
    int waitid(int idType, int id, Pointer siginfo, int options);

    /** For system calls glibc 2.34 has no wrapper for (pidfd_open came with 2.36). */
    @SaveError
    long syscall(long number, long first, long second);

    /** {@code fds}: {@code nfds} struct pollfd (int fd, short events, short revents). */
    @SaveError
    int poll(Pointer fds, long nfds, int timeoutMillis);

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int setsockopt(int fd, int level, int option, @In Pointer value, int length);

    @SaveError
    int bind(int fd, @In Pointer address, int length);

    @SaveError
    int listen(int fd, int backlog);

    @SaveError
    int close(int fd);

    /** With O_NOFOLLOW, so a file gatehouse trusts is checked (fstat) on the descriptor it reads. */
    @SaveError
    int open(Pointer path, int flags, int mode);

    @SaveError
    @ssize_t long read(int fd, Pointer buffer, @size_t long count);

    String strerror(int errno);
}
