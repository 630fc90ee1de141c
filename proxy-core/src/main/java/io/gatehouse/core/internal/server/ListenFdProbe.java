package io.gatehouse.core.internal.server;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;

/**
 * Checks that an inherited descriptor is what gatehouse can serve on, a listening TCP socket,
 * before the JDK wraps it: the JDK would wrap anything (a file, a unix socket, a connected
 * socket) and fail later, on the first accept, with a message naming nothing. Asks the kernel
 * through {@code getsockopt} (SO_DOMAIN, SO_TYPE, SO_ACCEPTCONN), bound with jnr-ffi as the spawn
 * module binds libc. Linux only, as the rest of gatehouse.
 *
 * <p>Thread-safe: libc's getsockopt is.
 */
public final class ListenFdProbe {

    /** The one libc call needed; public because jnr-ffi generates its implementation elsewhere. */
    public interface SocketOptions {
        @SaveError
        int getsockopt(int fd, int level, int name, @Out IntByReference value, IntByReference length);
    }

    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int EBADF = 9;
    private static final int ENOTSOCK = 88;

    private final SocketOptions libc;
    private final Runtime runtime;

    private ListenFdProbe(SocketOptions libc) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
    }

    /** Binds libc; a failure says socket activation cannot work here. */
    static ListenFdProbe load() throws IOException {
        try {
            return new ListenFdProbe(LibraryLoader.create(SocketOptions.class).load("c"));
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("GH-LISTEN-004 systemd socket activation needs libc through jnr-ffi to inspect the"
                    + " inherited sockets: " + e + " (java.io.tmpdir must allow executing the unpacked jffi library)", e);
        }
    }

    /**
     * The family of {@code fd}, after checking that it is a listening TCP socket.
     *
     * @throws IOException GH-LISTEN-001 for a unix-domain socket, GH-LISTEN-003 for anything else
     *                     that is not a listening TCP socket; the message names the fd
     */
    ProtocolFamily requireListeningTcp(int fd) throws IOException {
        String what = "GH-LISTEN-003 systemd socket activation: fd " + fd;
        int domain = option(fd, SO_DOMAIN, what);
        if (domain == AF_UNIX) {
            throw new IOException("GH-LISTEN-001 systemd socket activation: fd " + fd + " is a unix-domain socket;"
                    + " unix-domain HTTP listeners are not supported (XNIO listens on TCP only):"
                    + " use ListenStream=IP:port in the .socket unit");
        }
        if (domain != AF_INET && domain != AF_INET6) {
            throw new IOException(what + " is not an IPv4 or IPv6 socket (address family " + domain
                    + "): use ListenStream=IP:port in the .socket unit");
        }
        if (option(fd, SO_TYPE, what) != SOCK_STREAM) {
            throw new IOException(what + " is not a stream socket: use ListenStream= (not ListenDatagram= or"
                    + " ListenSequentialPacket=) in the .socket unit");
        }
        if (option(fd, SO_ACCEPTCONN, what) == 0) {
            throw new IOException(what + " is a TCP socket that is not listening: the .socket unit must use"
                    + " Accept=no (with Accept=yes systemd passes one connection, not the listener)");
        }
        return domain == AF_INET ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    private int option(int fd, int name, String what) throws IOException {
        IntByReference value = new IntByReference();
        IntByReference length = new IntByReference(Integer.BYTES);
        if (libc.getsockopt(fd, SOL_SOCKET, name, value, length) == 0) {
            return value.getValue();
        }
        int errno = LastError.getLastError(runtime);
        if (errno == EBADF) {
            throw new IOException(what + " is not open, although LISTEN_FDS counts it: check the .socket unit");
        }
        if (errno == ENOTSOCK) {
            throw new IOException(what + " is not a socket, although LISTEN_FDS counts it: check the .socket unit");
        }
        throw new IOException(what + ": getsockopt failed with errno " + errno);
    }
}
