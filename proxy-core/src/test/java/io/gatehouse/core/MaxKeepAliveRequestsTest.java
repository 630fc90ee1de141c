package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.gatehouse.conf.ConnectionLimits;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;

/**
 * {@code server.max-keep-alive-requests}: the last request a connection may carry closes it; as in
 * lighttpd 1.4.69 (measured) that is one more than the limit, and one for a limit of 0.
 */
class MaxKeepAliveRequestsTest {

    private static final int PIPELINED = 4;

    @ParameterizedTest(name = "limit {0}: {1} answers")
    @CsvSource({"0,1", "1,2", "2,3", "1000,4"})
    void aConnectionCarriesOneRequestMoreThanTheLimitThenCloses(int limit, int answered) throws Exception {
        ConnectionLimits defaults = ConnectionLimits.DEFAULTS;
        ConnectionLimits limits = new ConnectionLimits(limit, defaults.maxKeepAliveIdle(), defaults.maxReadIdle(),
                defaults.maxWriteIdle(), defaults.maxConnections(), defaults.listenBacklog());
        try (TestBackend backend = TestBackend.start(TestBackend.Kind.FASTCGI_UNIX);
             ProxyFixture proxy = ProxyFixture.start(ServerConfig.builder().connectionLimits(limits)
                     .route(Route.of("", Protocol.FASTCGI, backend.config().build())));
             Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", proxy.port), 2000);
            socket.setSoTimeout(limit >= PIPELINED ? 1000 : 15_000);
            String request = "GET /status?code=200 HTTP/1.1\r\nHost: t\r\n\r\n";
            socket.getOutputStream().write(request.repeat(PIPELINED).getBytes(StandardCharsets.ISO_8859_1));
            String text = readUntilClosedOrQuiet(socket.getInputStream());

            assertEquals(answered, text.split("HTTP/1.1 200", -1).length - 1, text);
            if (limit < PIPELINED) {
                // With a Content-Length when the answer came in one read, else chunked (to the last chunk).
                assertTrue(text.endsWith("status body") || text.endsWith("status body\r\n0\r\n\r\n"),
                        "closed after the last answer: " + text);
                assertEquals(1, text.split("(?i)Connection: close", -1).length - 1, text);
            }
        }
    }

    private static String readUntilClosedOrQuiet(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException quiet) {
            // the connection stays open: what a limit above the request count gives
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
