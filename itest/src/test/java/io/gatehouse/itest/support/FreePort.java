package io.gatehouse.itest.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Picks a TCP port on 127.0.0.1 that is free right now, for a server the test starts next. The
 * kernel may hand the port out again before the server binds it; in practice ephemeral ports
 * cycle slowly enough for tests that bind at once.
 *
 * <p>Stateless and thread-safe.
 */
public final class FreePort {

    private FreePort() {
    }

    /** A port on 127.0.0.1 that nothing listens on at the moment of the call. */
    public static int get() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind 127.0.0.1:0", e);
        }
    }
}
