package io.gatehouse.core.internal.server;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptListenerSettable;
import org.xnio.channels.AcceptingChannel;

/**
 * Every reflective step of systemd socket activation, in one place, because neither the JDK nor
 * XNIO has a public API for it:
 * <ol>
 *   <li>a {@link ServerSocketChannel} for an inherited fd: {@code sun.nio.ch.IOUtil.newFD(int)} and
 *       the constructor {@code ServerSocketChannelImpl(SelectorProvider, ProtocolFamily,
 *       FileDescriptor, boolean bound)}, which exists on JDK 17 through 25 and neither binds nor
 *       listens (needs {@code Add-Opens: java.base/sun.nio.ch}, which the jar's manifest carries);</li>
 *   <li>an XNIO accepting channel for it, built as {@code NioXnioWorker.createTcpConnectionServer}
 *       builds one after binding: {@code new QueuedNioTcpServer2(new NioTcpServer(worker, channel,
 *       options, true))} (package-private classes of xnio-nio, on the class path). The
 *       {@code NioTcpServer} keeps TCP_NODELAY and the read/write timeouts of {@code options} and
 *       applies them to each accepted connection, as for a socket XNIO bound itself.</li>
 * </ol>
 * Every handle is looked up on first use, so a JDK or XNIO that lacks one fails at start with
 * GH-LISTEN-004 and the missing piece, never later.
 *
 * <p>Thread-safe: the handles are immutable once looked up.
 */
final class InheritedChannels {

    private static final String NEEDS = "GH-LISTEN-004 systemd socket activation needs ";

    /** The looked-up members. */
    private record Handles(Method newFd, Constructor<?> serverSocketChannel, Constructor<?> tcpServer,
            Constructor<?> queuedServer, Class<?> nioWorker) {
    }

    private static volatile Handles handles;

    private InheritedChannels() {
    }

    /**
     * Looks up every member needed now.
     *
     * @throws IOException GH-LISTEN-004 naming what is missing or inaccessible
     */
    static void requireAvailable() throws IOException {
        handles();
    }

    /** A non-blocking channel for the listening socket {@code fd} (of {@code family}); neither binds nor listens. */
    static ServerSocketChannel open(int fd, ProtocolFamily family) throws IOException {
        Handles h = handles();
        FileDescriptor descriptor;
        ServerSocketChannel channel;
        try {
            descriptor = (FileDescriptor) h.newFd().invoke(null, fd);
            channel = (ServerSocketChannel) h.serverSocketChannel().newInstance(SelectorProvider.provider(), family,
                    descriptor, true);
        } catch (InvocationTargetException e) {
            throw new IOException("GH-LISTEN-003 systemd socket activation: cannot use fd " + fd + ": "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException(NEEDS + "the JDK's ServerSocketChannelImpl to wrap fd " + fd + ": " + e, e);
        }
        channel.configureBlocking(false);
        return channel;
    }

    /**
     * An XNIO accepting channel on {@code channel}, as XNIO builds one for a socket it bound; not
     * accepting until {@code resumeAccepts()}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static AcceptingChannel<StreamConnection> accepting(XnioWorker worker, ServerSocketChannel channel,
            OptionMap options, ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener)
            throws IOException {
        Handles h = handles();
        if (!h.nioWorker().isInstance(worker)) {
            throw new IOException(NEEDS + "XNIO's NIO provider, but the worker is a " + worker.getClass().getName());
        }
        Object server;
        try {
            Object tcpServer = h.tcpServer().newInstance(worker, channel, options, true);
            server = h.queuedServer().newInstance(tcpServer);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(NEEDS + "XNIO's NioTcpServer: " + cause, cause);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException(NEEDS + "XNIO's NioTcpServer and QueuedNioTcpServer2: " + e, e);
        }
        ((AcceptListenerSettable) server).setAcceptListener((ChannelListener) acceptListener);
        return (AcceptingChannel<StreamConnection>) server;
    }

    private static Handles handles() throws IOException {
        Handles h = handles;
        if (h == null) {
            h = lookUp();
            handles = h;
        }
        return h;
    }

    private static Handles lookUp() throws IOException {
        Method newFd;
        Constructor<?> serverSocketChannel;
        try {
            Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            newFd = ioUtil.getDeclaredMethod("newFD", int.class);
            newFd.setAccessible(true);
            Class<?> impl = Class.forName("sun.nio.ch.ServerSocketChannelImpl");
            serverSocketChannel = impl.getDeclaredConstructor(SelectorProvider.class, ProtocolFamily.class,
                    FileDescriptor.class, boolean.class);
            serverSocketChannel.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // InaccessibleObjectException (a RuntimeException) when java.base/sun.nio.ch is not opened.
            throw new IOException(NEEDS + "the JDK internals sun.nio.ch.IOUtil.newFD and ServerSocketChannelImpl(..,"
                    + " FileDescriptor, boolean), opened to gatehouse (run it with java -jar gatehouse.jar, whose"
                    + " manifest opens them, or add --add-opens java.base/sun.nio.ch=ALL-UNNAMED): " + e, e);
        }
        try {
            ClassLoader loader = XnioWorker.class.getClassLoader();
            Class<?> nioWorker = Class.forName("org.xnio.nio.NioXnioWorker", false, loader);
            Class<?> tcpServerClass = Class.forName("org.xnio.nio.NioTcpServer", false, loader);
            Constructor<?> tcpServer = tcpServerClass.getDeclaredConstructor(nioWorker, ServerSocketChannel.class,
                    OptionMap.class, boolean.class);
            tcpServer.setAccessible(true);
            Constructor<?> queuedServer = Class.forName("org.xnio.nio.QueuedNioTcpServer2", false, loader)
                    .getDeclaredConstructor(tcpServerClass);
            queuedServer.setAccessible(true);
            return new Handles(newFd, serverSocketChannel, tcpServer, queuedServer, nioWorker);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException(NEEDS + "xnio-nio's NioTcpServer(NioXnioWorker, ServerSocketChannel, OptionMap,"
                    + " boolean) and QueuedNioTcpServer2(NioTcpServer) (written against xnio-nio 3.8): " + e, e);
        }
    }
}
