package io.gatehouse.core.internal.server;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * The reflective step of systemd socket activation, because the JDK has no public API for it: a
 * {@link ServerSocketChannel} for an inherited fd, from {@code sun.nio.ch.IOUtil.newFD(int)} and
 * the constructor {@code ServerSocketChannelImpl(SelectorProvider, ProtocolFamily, FileDescriptor,
 * boolean bound)}, which exists on JDK 17 through 25 and neither binds nor listens (needs
 * {@code Add-Opens: java.base/sun.nio.ch}, which the jar's manifest carries). XNIO serves the
 * channel through {@link org.xnio.nio.LimitedAccepting#serve}. The handles are looked up on
 * first use, so a JDK that lacks one fails at start with GH-LISTEN-004 and the missing piece,
 * never later.
 *
 * <p>Thread-safe: the handles are immutable once looked up.
 */
final class InheritedChannels {

    static final String NEEDS = "GH-LISTEN-004 systemd socket activation needs ";

    /** The looked-up members. */
    private record Handles(Method newFd, Constructor<?> serverSocketChannel) {
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

    private static Handles handles() throws IOException {
        Handles h = handles;
        if (h == null) {
            h = lookUp();
            handles = h;
        }
        return h;
    }

    private static Handles lookUp() throws IOException {
        try {
            Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            Method newFd = ioUtil.getDeclaredMethod("newFD", int.class);
            newFd.setAccessible(true);
            Class<?> impl = Class.forName("sun.nio.ch.ServerSocketChannelImpl");
            Constructor<?> serverSocketChannel = impl.getDeclaredConstructor(SelectorProvider.class,
                    ProtocolFamily.class, FileDescriptor.class, boolean.class);
            serverSocketChannel.setAccessible(true);
            return new Handles(newFd, serverSocketChannel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // InaccessibleObjectException (a RuntimeException) when java.base/sun.nio.ch is not opened.
            throw new IOException(NEEDS + "the JDK internals sun.nio.ch.IOUtil.newFD and ServerSocketChannelImpl(..,"
                    + " FileDescriptor, boolean), opened to gatehouse (run it with java -jar gatehouse.jar, whose"
                    + " manifest opens them, or add --add-opens java.base/sun.nio.ch=ALL-UNNAMED): " + e, e);
        }
    }
}
