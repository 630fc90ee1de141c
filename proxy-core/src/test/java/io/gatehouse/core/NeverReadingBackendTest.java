package io.gatehouse.core;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backend that accepts the connection and never reads the request: 504 and an error-log line. */
class NeverReadingBackendTest {

    @TempDir
    Path dir;

    @Test
    void aBackendThatNeverReadsABodyIs504WithALogLine() throws Exception {
        Path socket = dir.resolve("never.sock");
        Path errorLog = dir.resolve("error.log");
        List<SocketChannel> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            BackendConfig backend = BackendConfig.unix(socket).checkLocal(false)
                    .writeTimeout(Duration.ofSeconds(1)).build();
            try (ProxyFixture proxy = ProxyFixture.start(ServerConfig.builder().errorLog(errorLog)
                    .route(Route.of("", Protocol.FASTCGI, backend)))) {
                long started = System.nanoTime();
                // Far more than the socket buffers between gatehouse and the backend hold.
                HttpResponse<byte[]> response = proxy.post("/upload", new byte[8 * 1024 * 1024]);
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals(504, response.statusCode());
                assertTrue(millis < 10_000, "answered after " + millis + " ms");
                String log = Files.readString(errorLog);
                assertTrue(log.contains("timeout") || log.contains("timed out"), log);
            }
        } finally {
            for (SocketChannel channel : accepted) {
                channel.close();
            }
        }
    }
}
