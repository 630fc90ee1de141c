package io.gatehouse.spawn.internal;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;

import io.gatehouse.spawn.SpawnException;
import jnr.ffi.Pointer;

/**
 * Creates listening sockets with plain socket/bind/listen through our libc binding and closes
 * them with plain close(2). Neither the JDK nor jnr-unixsocket fits: jnr-unixsocket's close
 * shuts the socket down, which kills the copy a child inherited, and the JDK hides the
 * descriptor number behind a module export. The descriptor is created close-on-exec so that no
 * other process the JVM launches inherits it; posix_spawn's dup2 onto fd 0 clears the flag for
 * the one child meant to have it.
 *
 * <p>Stateless; thread-safe.
 */
public final class ListenSocket {

    /** sun_path is 108 bytes on Linux and needs a terminating NUL. */
    public static final int MAX_UNIX_PATH_BYTES = 107;

    private static final int SOCKADDR_UN_PATH_OFFSET = 2;
    private static final int SOCKADDR_IN_LENGTH = 16;
    private static final int SOCKADDR_IN6_LENGTH = 28;

    private ListenSocket() {
    }

    /** A listening unix socket bound at {@code path}; the path must not exist. Returns the fd. */
    public static int bindUnix(NativeLib lib, Path path, int backlog, String context) throws SpawnException {
        byte[] pathBytes = lib.bytes(path.toString());
        if (pathBytes.length > MAX_UNIX_PATH_BYTES) {
            throw new SpawnException("GH-SPAWN-005 " + context + ": socket path " + path + " is " + pathBytes.length
                    + " bytes, the limit is " + MAX_UNIX_PATH_BYTES + " (sun_path): choose a shorter socket path");
        }
        Pointer address = lib.allocate(SOCKADDR_UN_PATH_OFFSET + MAX_UNIX_PATH_BYTES + 1);
        address.putShort(0, (short) NativeLib.AF_UNIX);
        address.put(SOCKADDR_UN_PATH_OFFSET, pathBytes, 0, pathBytes.length);
        return bindAndListen(lib, NativeLib.AF_UNIX, address, SOCKADDR_UN_PATH_OFFSET + pathBytes.length + 1,
                backlog, path.toString(), context);
    }

    /** A listening TCP socket bound at {@code address} with SO_REUSEADDR. Returns the fd. */
    public static int bindTcp(NativeLib lib, InetSocketAddress address, int backlog, String context)
            throws SpawnException {
        if (address.isUnresolved()) {
            throw new SpawnException("GH-SPAWN-005 " + context + ": cannot resolve host " + address.getHostString()
                    + ": use an IP address or a name the resolver knows");
        }
        byte[] ip = address.getAddress().getAddress();
        boolean v6 = address.getAddress() instanceof Inet6Address;
        int length = v6 ? SOCKADDR_IN6_LENGTH : SOCKADDR_IN_LENGTH;
        Pointer sockaddr = lib.allocate(length);
        sockaddr.putShort(0, (short) (v6 ? NativeLib.AF_INET6 : NativeLib.AF_INET));
        sockaddr.putByte(2, (byte) (address.getPort() >> 8));
        sockaddr.putByte(3, (byte) address.getPort());
        if (v6) {
            sockaddr.put(8, ip, 0, ip.length);
            sockaddr.putInt(24, ((Inet6Address) address.getAddress()).getScopeId());
        } else {
            sockaddr.put(4, ip, 0, ip.length);
        }
        return bindAndListen(lib, v6 ? NativeLib.AF_INET6 : NativeLib.AF_INET, sockaddr, length, backlog,
                address.getAddress().getHostAddress() + ":" + address.getPort(), context);
    }

    private static int bindAndListen(NativeLib lib, int family, Pointer address, int length, int backlog,
                                     String where, String context) throws SpawnException {
        LibC libc = lib.libc();
        int fd = libc.socket(family, NativeLib.SOCK_STREAM | NativeLib.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure(lib, "socket()", where, lib.lastErrno(), context);
        }
        boolean done = false;
        try {
            if (family != NativeLib.AF_UNIX) {
                Pointer one = lib.allocate(4);
                one.putInt(0, 1);
                if (libc.setsockopt(fd, NativeLib.SOL_SOCKET, NativeLib.SO_REUSEADDR, one, 4) != 0) {
                    throw failure(lib, "setsockopt(SO_REUSEADDR)", where, lib.lastErrno(), context);
                }
            }
            if (libc.bind(fd, address, length) != 0) {
                throw failure(lib, "bind()", where, lib.lastErrno(), context);
            }
            if (libc.listen(fd, backlog) != 0) {
                throw failure(lib, "listen()", where, lib.lastErrno(), context);
            }
            done = true;
            return fd;
        } finally {
            if (!done) {
                libc.close(fd);
            }
        }
    }

    /** Closes the parent's copy without shutdown(2): the child's copy keeps listening. */
    public static void close(NativeLib lib, int fd) {
        lib.libc().close(fd);
    }

    private static SpawnException failure(NativeLib lib, String call, String where, int errno, String context) {
        String hint = switch (NativeLib.errnoName(errno)) {
            case "EADDRINUSE" -> "another process listens there: stop it or choose another port or socket";
            case "EACCES", "EPERM" -> "gatehouse may not create it there: fix the directory's permissions"
                    + " or choose another path or a port above 1023";
            case "EMFILE", "ENFILE" -> "out of file descriptors: raise the limit (ulimit -n)";
            default -> "check the address in the backend's socket/host/port";
        };
        return new SpawnException("GH-SPAWN-005 " + context + ": " + call + " on " + where + " failed: "
                + lib.describeErrno(errno) + ": " + hint);
    }
}
