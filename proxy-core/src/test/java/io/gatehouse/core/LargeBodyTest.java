package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;

/**
 * Request bodies larger than the socket buffers between gatehouse and a backend: written piece by
 * piece as the backend takes them, while its response is read.
 */
class LargeBodyTest {

    private static final int MIB = 1024 * 1024;

    /**
     * A backend that takes 1 MiB in 16 KiB reads 25 ms apart needs about 1.6 s, longer than its
     * write-timeout of 1 s: the timeout counts from the last progress, not from the first byte.
     */
    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void aBackendThatTakesALargeBodySlowlyGetsItWholePastItsWriteTimeout(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             ProxyFixture proxy = start(backend, builder -> builder.writeTimeout(Duration.ofSeconds(1)))) {
            backend.readPauseMillis = 25;
            byte[] body = randomBody(MIB);
            long started = System.nanoTime();
            HttpResponse<byte[]> response = proxy.post("/upload", body);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
            assertTrue(millis > 1000, "the backend took the body in " + millis + " ms, longer than its write-timeout");
            assertEquals(List.of(expectedBody(body)), backend.bodies);
        }
    }

    /**
     * A backend that answers before it reads a 4 MiB body and closes: its answer reaches the client
     * (the write that fails is not the story), and the connection is not used again.
     */
    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void aBackendThatAnswersBeforeReadingALargeBodyHasItsAnswerRelayed(boolean tcp) throws Exception {
        try (CountingFcgiBackend backend = new CountingFcgiBackend(tcp);
             ProxyFixture proxy = start(backend, builder -> builder.keepAlive(true).maxConnections(1))) {
            backend.answerBeforeBody = true;
            for (int i = 1; i <= 2; i++) {
                HttpResponse<byte[]> response = proxy.post("/upload", randomBody(4 * MIB));
                String text = new String(response.body(), StandardCharsets.UTF_8);
                if (tcp && response.statusCode() != 200) {
                    // Over TCP the backend's close with unread bytes is a reset, which may discard its answer.
                    assertEquals(500, response.statusCode(), text);
                    continue;
                }
                assertEquals(200, response.statusCode(), text);
                assertEquals("answered before the body on connection " + i, text);
            }
            assertEquals(2, backend.connections.get(), "each on a connection of its own");
        }
    }

    private static ProxyFixture start(CountingFcgiBackend backend,
            java.util.function.UnaryOperator<BackendConfig.Builder> options) throws IOException {
        BackendConfig config = options.apply(backend.config().label("counting").checkLocal(false)).build();
        return ProxyFixture.start(ServerConfig.builder().route(Route.of("", Protocol.FASTCGI, config)));
    }

    private static byte[] randomBody(int size) {
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        return body;
    }

    private static String expectedBody(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        return "CONTENT_LENGTH=" + body.length + " stdin=" + body.length + " crc=" + crc.getValue();
    }
}
