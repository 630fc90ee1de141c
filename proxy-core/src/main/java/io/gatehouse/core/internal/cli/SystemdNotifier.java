package io.gatehouse.core.internal.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * Tells systemd ({@code Type=notify}) where the server stands, through the unix datagram socket
 * named by {@code NOTIFY_SOCKET}: {@code READY=1} with {@code MAINPID} once serving,
 * {@code RELOADING=1} with {@code MONOTONIC_USEC} when a restart begins and {@code READY=1} when
 * it ends, {@code STOPPING=1} at stop. Does nothing without {@code NOTIFY_SOCKET}.
 *
 * <p>The JDK cannot send unix datagrams (on 17), hence jnr-unixsocket. A socket name starting
 * with {@code @} is in the abstract namespace.
 *
 * <p>Thread-safe.
 */
public final class SystemdNotifier {

    /** sun_path holds 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private final String socket;

    private SystemdNotifier(String socket) {
        this.socket = socket;
    }

    /** A notifier for {@code NOTIFY_SOCKET} (null or empty: one that does nothing). */
    public static SystemdNotifier of(String notifySocket) {
        return new SystemdNotifier(notifySocket == null || notifySocket.isEmpty() ? null : notifySocket);
    }

    public boolean isEnabled() {
        return socket != null;
    }

    public void ready(String status) {
        send("READY=1\nMAINPID=" + ProcessHandle.current().pid() + "\nSTATUS=" + status);
    }

    public void reloading() {
        // HotSpot's nanoTime is CLOCK_MONOTONIC on Linux, the clock systemd compares against.
        long monotonicMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
        send("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros + "\nSTATUS=restarting");
    }

    public void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
    }

    /**
     * Sends one notification; failures are reported on stderr and otherwise ignored (systemd not
     * listening must not take the server down).
     */
    void send(String message) {
        if (socket == null) {
            return;
        }
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            System.err.println("gatehouse: NOTIFY_SOCKET " + socket + " is longer than the limit of "
                    + MAX_SOCKET_PATH_BYTES + " bytes; not notifying systemd");
            return;
        }
        try (UnixDatagramChannel channel = UnixDatagramChannel.open()) {
            channel.send(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)), new UnixSocketAddress(path));
        } catch (IOException | RuntimeException e) {
            System.err.println("gatehouse: cannot notify systemd at " + socket + ": " + e.getMessage());
        }
    }
}
