package io.gatehouse.itest.support;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;

/**
 * lighttpd 1.4.69 ({@code lighttpd -D -f <conf>}) as a child process of the test, to answer the
 * same requests as gatehouse on the same files: {@link #start} returns once its port on 127.0.0.1
 * accepts, {@link #close} stops it with SIGTERM (then SIGKILL) and waits for it.
 *
 * <p>Not thread-safe.
 */
public final class LighttpdProcess implements AutoCloseable {

    /** lighttpd starts in milliseconds; a loaded CI machine may take much longer. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 20;

    private final Process process;
    private final Path log;

    private LighttpdProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts lighttpd on {@code conf}, its output to {@code log}; fails the test if it does not listen on {@code port}. */
    public static LighttpdProcess start(Path conf, int port, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Peers.require("lighttpd").toString(), "-D", "-f", conf.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LighttpdProcess lighttpd = new LighttpdProcess(process, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                lighttpd.close();
                Assertions.fail("lighttpd did not listen on " + port + ":\n" + LogFiles.read(log));
            }
            Thread.sleep(POLL_MILLIS);
        }
        return lighttpd;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                Assertions.fail("lighttpd ignored SIGTERM:\n" + LogFiles.read(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
