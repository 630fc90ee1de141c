package io.gatehouse.core;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.fcgi.responder.FcgiResponder;
import io.gatehouse.scgi.responder.ScgiProtocol;
import io.gatehouse.scgi.responder.ScgiResponder;

/**
 * A real in-JVM backend running {@link TestApp} on a real socket, for one of the transports the
 * proxy tests are parameterized over.
 */
final class TestBackend implements Closeable {

    enum Kind {
        FASTCGI_UNIX(Protocol.FASTCGI, true),
        FASTCGI_TCP(Protocol.FASTCGI, false),
        /** FastCGI with {@code keep-alive}: connections carry request after request (FCGI_KEEP_CONN). */
        FASTCGI_UNIX_KEEPALIVE(Protocol.FASTCGI, true),
        FASTCGI_TCP_KEEPALIVE(Protocol.FASTCGI, false),
        SCGI_UNIX(Protocol.SCGI, true),
        SCGI_TCP(Protocol.SCGI, false),
        UWSGI_UNIX(Protocol.UWSGI, true),
        /** Spawned by gatehouse through bin-path: a real child serving the socket it inherits as fd 0. */
        FASTCGI_SPAWNED(Protocol.FASTCGI, true),
        SCGI_SPAWNED(Protocol.SCGI, true);

        final Protocol protocol;
        final boolean unix;

        Kind(Protocol protocol, boolean unix) {
            this.protocol = protocol;
            this.unix = unix;
        }

        boolean spawned() {
            return name().endsWith("_SPAWNED");
        }

        boolean keepAlive() {
            return name().endsWith("_KEEPALIVE");
        }
    }

    private final Kind kind;
    private final Closeable responder;
    private final Path socketDir;
    private final Path socket;
    private final int port;

    private TestBackend(Kind kind, Closeable responder, Path socketDir, Path socket, int port) {
        this.kind = kind;
        this.responder = responder;
        this.socketDir = socketDir;
        this.socket = socket;
        this.port = port;
    }

    static TestBackend start(Kind kind) throws IOException {
        if (kind.spawned()) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            return new TestBackend(kind, () -> { }, dir, dir.resolve("spawned.sock"), 0);
        }
        Path dir = null;
        Path socket = null;
        ServerSocketChannel channel;
        if (kind.unix) {
            dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            socket = dir.resolve("backend.sock");
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(socket));
        } else {
            channel = ServerSocketChannel.open();
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
        }
        int port = kind.unix ? 0 : ((InetSocketAddress) channel.getLocalAddress()).getPort();
        Closeable responder = switch (kind.protocol) {
            case FASTCGI -> new FcgiResponder((request, response) ->
                    TestApp.handle(request.params(), request.body(), response.stdout())).start(channel);
            case SCGI -> new ScgiResponder(ScgiProtocol.SCGI, TestApp::handle).start(channel);
            case UWSGI -> new ScgiResponder(ScgiProtocol.UWSGI, TestApp::handle).start(channel);
        };
        return new TestBackend(kind, responder, dir, socket, port);
    }

    Kind kind() {
        return kind;
    }

    /** The backend config pointing at this backend (or spawning it), with check-local off. */
    BackendConfig.Builder config() {
        BackendConfig.Builder builder = kind.spawned()
                ? BackendConfig.spawn(javaCommand(TestAppMain.class, kind.protocol.name().toLowerCase()))
                        .socket(socket).maxProcs(1)
                : kind.unix ? BackendConfig.unix(socket) : BackendConfig.tcp("127.0.0.1", port);
        return builder.label("test-" + kind.name().toLowerCase()).protocol(kind.protocol).checkLocal(false)
                .keepAlive(kind.keepAlive()).connectTimeout(Duration.ofSeconds(2));
    }

    /** A bin-path that runs {@code main} of {@code mainClass} in a new JVM with this test's class path. */
    static String javaCommand(Class<?> mainClass, String argument) {
        return Path.of(System.getProperty("java.home"), "bin", "java")
                + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -cp " + System.getProperty("java.class.path")
                + " " + mainClass.getName() + " " + argument;
    }

    @Override
    public void close() throws IOException {
        responder.close();
        if (socketDir != null) {
            // A spawned backend's socket (socket-0) must already be gone: gatehouse unlinks what it made.
            Files.deleteIfExists(socket);
            Files.delete(socketDir);
        }
    }
}
