package io.gatehouse.core.internal.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;

/**
 * What gatehouse serves when started without {@code -f}: 127.0.0.1:8080 in front of the built-in
 * Java FastCGI demo responder, run as a real separate process on a loopback TCP port, so a
 * newcomer sees a whole FastCGI round trip without PHP. The responder exits by itself when its
 * stdin (a pipe from gatehouse) closes, so it never outlives gatehouse, even after a SIGKILL.
 *
 * <p>Not thread-safe: started and closed by the CLI.
 */
public final class EmbeddedDefault implements Closeable {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 8080;

    /** How long the demo JVM may take to accept its first connection. */
    private static final long START_TIMEOUT_MILLIS = 15_000;

    private final Process process;
    private final int backendPort;

    private EmbeddedDefault(Process process, int backendPort) {
        this.process = process;
        this.backendPort = backendPort;
    }

    public static EmbeddedDefault start() throws IOException {
        int port = freeLoopbackPort();
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder builder = new ProcessBuilder(List.of(java,
                // A small, quick-starting JVM: the demo answers tiny pages.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-Xss512k",
                "-cp", System.getProperty("java.class.path"),
                "io.gatehouse.fcgi.demo.DemoResponder", "--listen", HOST + ":" + port, "--exit-on-stdin-eof"));
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        EmbeddedDefault demo = new EmbeddedDefault(process, port);
        try {
            demo.awaitListening();
        } catch (IOException e) {
            demo.close();
            throw e;
        }
        return demo;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(HOST, 0));
            return probe.getLocalPort();
        }
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("GH-DEMO-001 the demo FastCGI responder exited during start (status "
                        + process.exitValue() + ")");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, backendPort), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IOException("GH-DEMO-002 the demo FastCGI responder did not listen on " + HOST + ":" + backendPort
                + " within " + START_TIMEOUT_MILLIS + " ms");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The config equivalent to {@code conf/examples/embedded-default.conf} with the demo's port. */
    public ServerConfig config() {
        BackendConfig demo = BackendConfig.tcp(HOST, backendPort).label("demo").checkLocal(false).build();
        return ServerConfig.builder()
                .listen(HOST, PORT)
                .route(Route.of("", Protocol.FASTCGI, demo))
                .build();
    }

    public long pid() {
        return process.pid();
    }

    /** Stops the responder (SIGTERM, then SIGKILL after 5 s) and waits for it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
