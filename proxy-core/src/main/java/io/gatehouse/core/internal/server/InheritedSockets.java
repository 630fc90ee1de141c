package io.gatehouse.core.internal.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.conf.SourceLocation;
import org.xnio.IoUtils;

/**
 * The listening sockets systemd passed (socket activation), until {@link ListenerSet} claims
 * them. Each is matched to a configured listener by address, as lighttpd does: a listener with
 * the address of an inherited socket serves on it instead of binding. Sockets no listener
 * claims are served anyway, with the global settings (lighttpd again).
 *
 * <p>With sockets inherited and no {@code server.bind} in the config, the global listener
 * (0.0.0.0 on {@code server.port}, by default 80) is not bound in addition: systemd's sockets
 * are what the unit meant to serve on.
 *
 * <p>Thread-safe.
 */
public final class InheritedSockets implements Closeable {

    /** Where a listener made for an inherited socket that no configured listener claimed "was configured". */
    static final SourceLocation SYSTEMD_ONLY = new SourceLocation("<systemd socket, not in the config>", 0, 0);

    /** One inherited listening socket. */
    record Socket(int fd, InetSocketAddress address, ServerSocketChannel channel) {

        /**
         * The listener it is when no configured listener has its address: no {@code $SERVER["socket"]}
         * condition names it, so its requests get the global settings. Equal, by address, to a
         * configured listener for the same address.
         */
        ListenerConfig asListener() {
            String host = address.getAddress().getHostAddress();
            String token = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
            return ListenerConfig.parse(token, address.getPort(), SYSTEMD_ONLY);
        }
    }

    private final boolean activated;
    private final List<Socket> unclaimed;

    private InheritedSockets(boolean activated, List<Socket> sockets) {
        this.activated = activated;
        this.unclaimed = new ArrayList<>(sockets);
    }

    /** No socket activation: every listener binds its address. */
    public static InheritedSockets none() {
        return new InheritedSockets(false, List.of());
    }

    /**
     * Takes over fds 3..3+{@code count}-1: checks each is a listening TCP socket and wraps it.
     *
     * @throws IOException GH-LISTEN-001/003 naming the first fd that is not a listening TCP
     *                     socket, GH-LISTEN-004 when this JDK cannot wrap it; the sockets
     *                     wrapped so far are closed then
     */
    public static InheritedSockets adopt(int count) throws IOException {
        ListenFdProbe probe = ListenFdProbe.load();
        InheritedChannels.requireAvailable();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int fd = ListenFdsEnvironment.FIRST_FD; fd < ListenFdsEnvironment.FIRST_FD + count; fd++) {
                ProtocolFamily family = probe.requireListeningTcp(fd);
                ServerSocketChannel channel = InheritedChannels.open(fd, family);
                SocketAddress local = channel.getLocalAddress();
                if (!(local instanceof InetSocketAddress address)) {
                    IoUtils.safeClose(channel);
                    throw new IOException("GH-LISTEN-003 systemd socket activation: fd " + fd
                            + " has no IP address (" + local + ")");
                }
                sockets.add(new Socket(fd, address, channel));
            }
        } catch (IOException | RuntimeException e) {
            sockets.forEach(s -> IoUtils.safeClose(s.channel()));
            throw e;
        }
        return new InheritedSockets(true, sockets);
    }

    /** True when gatehouse was socket-activated (the sockets may all be claimed by now). */
    public boolean activated() {
        return activated;
    }

    /**
     * The listeners of {@code config} to serve: all of them, except the global listener when
     * activated and {@code server.bind} is not in the config file.
     */
    public List<ListenerConfig> listenersToServe(ServerConfig config) {
        List<ListenerConfig> listeners = config.listeners();
        boolean bindUnset = config.source().isPresent() && config.locationOf("server.bind").isEmpty();
        if (activated && bindUnset) {
            // The global listener is always first (ServerConfig.listeners()).
            return listeners.subList(1, listeners.size());
        }
        return listeners;
    }

    /** Removes and returns the inherited socket with the address of {@code listener}, if there is one. */
    synchronized Optional<Socket> claim(ListenerConfig listener) {
        for (Iterator<Socket> it = unclaimed.iterator(); it.hasNext(); ) {
            Socket socket = it.next();
            if (socket.asListener().equals(listener)) {
                it.remove();
                return Optional.of(socket);
            }
        }
        return Optional.empty();
    }

    /** Removes and returns the sockets no listener claimed. */
    synchronized List<Socket> claimRest() {
        List<Socket> rest = List.copyOf(unclaimed);
        unclaimed.clear();
        return rest;
    }

    /** Closes the sockets not claimed (a start that failed before the listeners took them). */
    @Override
    public synchronized void close() {
        unclaimed.forEach(s -> IoUtils.safeClose(s.channel()));
        unclaimed.clear();
    }
}
