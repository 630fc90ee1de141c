package io.gatehouse.itest;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.Curl;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.Http2Frames;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.Peers;
import io.gatehouse.itest.support.PhpScripts;
import io.gatehouse.itest.support.TempDirs;
import io.gatehouse.itest.support.TlsPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.gatehouse.itest.support.ConfigFiles.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 clients that attack the server rather than use it, over TLS against the built jar in
 * front of php-cgi: each flood must end with the connection closed by the server, within bounds,
 * while other clients are still served.
 */
@ExtendWith(LeakCheck.class)
class Http2AbuseE2ETest {

    /** Far more than the 200 resets per 30 s a connection may send. */
    private static final int FLOOD_STREAMS = 5_000;
    /** 16 KiB CONTINUATION frames sent at most: 64 MiB, which must never be held. */
    private static final int MAX_CONTINUATIONS = 4_096;
    private static final int SETTINGS_FLOOD = 200_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    private Path dir;
    private int port;
    private int tlsPort;
    private GatehouseProcess gatehouse;

    @BeforeEach
    void start() throws IOException {
        dir = TempDirs.create("gh-h2a");
        LeakCheck.expectGone(dir);
        Path docroot = PhpScripts.copyInto(Files.createDirectory(dir.resolve("www")));
        TlsPeers.selfSigned(dir, "site", "/CN=localhost", 30);
        port = FreePort.get();
        tlsPort = FreePort.get();
        Path conf = ConfigFiles.write(dir.resolve("gh.conf"),
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.document-root = " + quote(docroot.toString()),
                "server.errorlog = " + quote(dir.resolve("error.log").toString()),
                "fastcgi.server = ( \".php\" => ( \"php\" => ( \"socket\" => " + quote(dir.resolve("php.sock").toString())
                        + ", \"bin-path\" => " + quote(Peers.require("php-cgi").toString()) + ", \"max-procs\" => 1 ) ) )",
                "$SERVER[\"socket\"] == \"127.0.0.1:" + tlsPort + "\" {",
                "  ssl.engine = \"enable\"",
                "  ssl.pemfile = " + quote(dir.resolve("site.crt").toString()),
                "  ssl.privkey = " + quote(dir.resolve("site.key").toString()),
                "}");
        gatehouse = GatehouseProcess.start(conf, tlsPort); // bound after the plain one
    }

    @AfterEach
    void stop() {
        try {
            gatehouse.close();
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    private void stillServes() {
        Curl.Response response = Curl.request(URI.create("https://127.0.0.1:" + tlsPort + "/hello.php"), "-k", "--http2");
        assertEquals(200, response.status(), response.text());
        assertEquals(PhpScripts.HELLO_BODY, response.text().strip());
        assertTrue(gatehouse.isAlive());
    }

    @Test
    void rapidResetIsCutOffWithGoAway() throws Exception {
        int sent = 0;
        Http2Frames.Frame goAway;
        try (Http2Frames client = Http2Frames.connect(tlsPort, READ_TIMEOUT)) {
            byte[] request = Http2Frames.getRequest("/hello.php");
            try {
                for (int i = 0; i < FLOOD_STREAMS; i++) {
                    int stream = 2 * i + 1;
                    client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, stream, request);
                    client.send(Http2Frames.RST_STREAM, 0, stream, Http2Frames.errorCode(Http2Frames.CANCEL));
                    sent++;
                    if (i % 50 == 49) {
                        client.flush();
                    }
                }
                client.flush();
            } catch (IOException e) {
                // the server closed the connection during the flood: what it should do
            }
            goAway = client.awaitGoAway(); // Undertow's answer to too many resets
            assertTrue(client.closedByServer(), "the connection stays open after the flood");
        }
        assertTrue(goAway != null || sent < FLOOD_STREAMS, "no GOAWAY and no close during " + sent + " resets");
        stillServes();
    }

    @Test
    void endlessContinuationFramesAreNotHeld() throws Exception {
        // One header, user-agent (static index 58) with a 100-byte value: 103 bytes of HPACK each.
        byte[] field = new byte[103];
        field[0] = 0x0f;
        field[1] = 43;
        field[2] = 100;
        java.util.Arrays.fill(field, 3, field.length, (byte) 'a');
        byte[] chunk = new byte[16_384 - 16_384 % field.length];
        for (int i = 0; i < chunk.length; i += field.length) {
            System.arraycopy(field, 0, chunk, i, field.length);
        }
        int sent = 0;
        boolean closed;
        try (Http2Frames client = Http2Frames.connect(tlsPort, READ_TIMEOUT)) {
            try {
                client.send(Http2Frames.HEADERS, 0, 1, Http2Frames.getRequest("/hello.php"));
                for (; sent < MAX_CONTINUATIONS; sent++) {
                    client.send(Http2Frames.CONTINUATION, 0, 1, chunk);
                }
                client.flush();
            } catch (IOException e) {
                // closed by the server while we were sending: what it should do
            }
            closed = client.closedByServer();
        }
        assertTrue(closed, "the connection is still open after " + sent + " CONTINUATION frames");
        assertTrue(sent < MAX_CONTINUATIONS, "the server took all " + sent + " CONTINUATION frames ("
                + (long) sent * chunk.length / 1024 + " KiB) of one header block");
        stillServes();
    }

    /**
     * Every SETTINGS frame makes the server write an ACK: flooded, one I/O thread did nothing else
     * and other clients' handshakes timed out. The connection is closed after 100 in 10 s.
     */
    @Test
    void aSettingsFloodIsCutOffAndOthersAreServed() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        try (Http2Frames client = Http2Frames.connect(tlsPort, READ_TIMEOUT)) {
            Thread flood = new Thread(() -> {
                try {
                    while (sent.get() < SETTINGS_FLOOD) {
                        client.send(Http2Frames.SETTINGS, 0, 0, new byte[0]); // each asks for an ACK never read
                        if (sent.incrementAndGet() % 100 == 0) {
                            client.flush();
                        }
                    }
                    client.flush();
                } catch (IOException e) {
                    // closed by the server: what it should do
                }
            }, "settings-flood");
            flood.start();
            try {
                stillServes();
                flood.join(READ_TIMEOUT.toMillis());
            } finally {
                client.close(); // unblocks a writer the server left waiting
                flood.join(READ_TIMEOUT.toMillis());
            }
            assertFalse(flood.isAlive(), "the flooding thread did not end");
            assertTrue(sent.get() < SETTINGS_FLOOD, "the server took all " + sent.get() + " SETTINGS frames");
        }
        stillServes();
    }
}
