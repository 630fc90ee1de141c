package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;

/** Backends that are down, close early or send garbage, and hosts taken out of rotation. */
class BackendFailureTest {

    @Test
    void aBackendThatIsDownGives503() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
        try (ProxyFixture proxy = ProxyFixture.start(ServerConfig.builder().route(Route.of("", Protocol.FASTCGI,
                BackendConfig.unix(dir.resolve("nobody.sock")).label("down").checkLocal(false).build())))) {
            assertEquals(503, proxy.get("/anything").statusCode());
            int closedPort = ProxyFixture.freePort();
            try (ProxyFixture tcp = ProxyFixture.start(ServerConfig.builder().route(Route.of("", Protocol.SCGI,
                    BackendConfig.tcp("127.0.0.1", closedPort).protocol(Protocol.SCGI).label("down-tcp")
                            .checkLocal(false).build())))) {
                assertEquals(503, tcp.get("/anything").statusCode());
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /** A route of two hosts: "dead" (a socket nobody serves, tried first), then "live". */
    private static ProxyFixture deadThenLive(Path dir, TestBackend live) throws IOException {
        return ProxyFixture.start(ServerConfig.builder().route(Route.of("", Protocol.FASTCGI,
                BackendConfig.unix(dir.resolve("dead.sock")).label("dead").checkLocal(false)
                        .disableTime(Duration.ofSeconds(30)).build(),
                live.config().label("live").build())));
    }

    @Test
    void aFailedHostIsSkippedAndTheRequestRetriedOnAnother() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
        try (TestBackend live = TestBackend.start(TestBackend.Kind.FASTCGI_UNIX);
             ProxyFixture proxy = deadThenLive(dir, live)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, proxy.get("/status?code=200").statusCode(), "request " + i);
            }
            Gatehouse.BackendStatus dead = proxy.server.backends().stream()
                    .filter(b -> b.label().equals("dead")).findFirst().orElseThrow();
            assertEquals(1, dead.requests(), "the dead host was tried once, then left out for disable-time");
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A request with a body starts on the I/O thread; the refused connect hands it to a gateway
     * thread, which must find the body whole and from its start: in memory and spooled alike.
     */
    @Test
    void aPostToAFailedHostIsRetriedOnAnotherWithItsWholeBody() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
        try (TestBackend live = TestBackend.start(TestBackend.Kind.FASTCGI_UNIX);
             ProxyFixture proxy = deadThenLive(dir, live)) {
            for (int size : new int[] {1000, 40_000}) {
                byte[] body = new byte[size];
                new Random(size).nextBytes(body);
                var response = proxy.post("/echo", body);
                assertEquals(200, response.statusCode(), "a body of " + size);
                assertTrue(Arrays.equals(body, response.body()), "the body of " + size + " arrived whole");
            }
            Gatehouse.BackendStatus dead = proxy.server.backends().stream()
                    .filter(b -> b.label().equals("dead")).findFirst().orElseThrow();
            assertEquals(1, dead.requests(), "the first request tried the dead host");
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aBackendThatClosesAfterTheRequestGives500AndGarbageGives502() throws Exception {
        try (RawBackend closer = RawBackend.start(in -> null);
             RawBackend garbage = RawBackend.start(in -> ByteBuffer.wrap(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9}));
             ProxyFixture proxy = ProxyFixture.start(ServerConfig.builder()
                     .route(Route.of("/close", Protocol.FASTCGI, closer.config("closer")))
                     .route(Route.of("/garbage", Protocol.FASTCGI, garbage.config("garbage"))))) {
            assertEquals(500, proxy.get("/close").statusCode());
            assertEquals(502, proxy.get("/garbage").statusCode());
            assertTrue(closer.connections.get() >= 1);
        }
    }

    /** A backend on a unix socket that reads one request and answers with whatever it is given. */
    static final class RawBackend implements AutoCloseable {
        interface Answer {
            ByteBuffer to(ByteBuffer request);
        }

        final Path dir;
        final Path socket;
        final ServerSocketChannel channel;
        final Thread thread;
        final AtomicInteger connections = new AtomicInteger();

        private RawBackend(Path dir, ServerSocketChannel channel, Answer answer) {
            this.dir = dir;
            this.socket = dir.resolve("raw.sock");
            this.channel = channel;
            this.thread = new Thread(() -> serve(answer), "raw-backend");
            thread.setDaemon(true);
        }

        static RawBackend start(Answer answer) throws IOException {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(dir.resolve("raw.sock")));
            RawBackend backend = new RawBackend(dir, channel, answer);
            backend.thread.start();
            return backend;
        }

        private void serve(Answer answer) {
            while (channel.isOpen()) {
                try (SocketChannel connection = channel.accept()) {
                    connections.incrementAndGet();
                    ByteBuffer request = ByteBuffer.allocate(64 * 1024);
                    connection.read(request);
                    request.flip();
                    ByteBuffer reply = answer.to(request);
                    if (reply != null) {
                        connection.write(reply);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }

        BackendConfig config(String label) {
            return BackendConfig.unix(socket).label(label).checkLocal(false).build();
        }

        @Override
        public void close() throws IOException {
            channel.close();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }
}
