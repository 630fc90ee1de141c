package io.gatehouse.core.internal.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Date;

import io.undertow.util.DateUtils;
import org.xnio.Xnio;

/**
 * Start-up work that does not depend on the config, done on a thread of its own while the main
 * thread reads the config, so that the first accept comes sooner on a machine with a second core.
 * A fresh JVM runs everything in its interpreter, and these pieces of it are slow:
 * <ul>
 * <li>XNIO's provider, a singleton made when it is first asked for (its MBean registration, which
 *     would build the JVM's platform MBean server, is refused: {@link LibraryMBeanRefusal});
 * <li>the first log line and the first response's {@code Date} load the time-zone rules and the
 *     locale data behind date formatting;
 * <li>the JDK's first unix-socket channel (the first backend connection) seeds a
 *     {@code SecureRandom}, which loads the security providers.
 * </ul>
 * Whichever thread comes first does the work; the other finds it done (the JDK initialises each
 * once, under its own lock), so nothing here changes what the server does, only when.
 */
public final class StartupOverlap {

    private StartupOverlap() {
    }

    /** Starts the work on a daemon thread and returns at once. */
    public static void begin() {
        Thread thread = new Thread(StartupOverlap::run, "gatehouse-startup");
        thread.setDaemon(true);
        thread.start();
    }

    private static void run() {
        try {
            Xnio.getInstance(StartupOverlap.class.getClassLoader());
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(LocalDateTime.now().atZone(ZoneId.systemDefault()));
            DateUtils.toDateString(new Date());
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
        } catch (IOException | RuntimeException | LinkageError e) {
            // Only a head start: whoever needs these later does the work itself and reports the failure.
        }
    }
}
