package io.gatehouse.itest;

import java.io.IOException;
import java.net.SocketTimeoutException;
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
import org.junit.jupiter.api.Disabled;
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

    /** Writes frame {@code i} of a flood. */
    private interface FloodFrame {
        void write(Http2Frames client, int i) throws IOException;
    }

    /**
     * Starts writing {@code count} frames from a thread of its own, flushed every 100; the thread
     * ends when all are sent, when the server closes, or when the test closes the connection (a
     * server that stops reading would otherwise block it for good).
     */
    private static Thread flood(Http2Frames client, int count, AtomicInteger sent, FloodFrame frame) {
        Thread thread = new Thread(() -> {
            try {
                while (sent.get() < count) {
                    frame.write(client, sent.get());
                    if (sent.incrementAndGet() % 100 == 0) {
                        client.flush();
                    }
                }
                client.flush();
            } catch (IOException e) {
                // closed by the server (what it should do) or by the test
            }
        }, "h2-flood");
        thread.start();
        return thread;
    }

    /** Closes the client and waits for its flood to end. */
    private static void end(Http2Frames client, Thread flood) throws IOException, InterruptedException {
        client.close();
        flood.join(READ_TIMEOUT.toMillis());
        assertFalse(flood.isAlive(), "the flooding thread did not end");
    }

    /**
     * Fails on the request engine as of main afe592c (it passed three times before the rebase onto
     * 53a0a5e..afe592c): all 5,000 reset streams are read, each still reaches the backend (its
     * listen queue overflows: "connect ... failed: Resource temporarily unavailable"), and neither
     * GOAWAY nor a close comes within 15 s. Disabled until reset streams stop reaching the backend;
     * see the README (HTTPS and HTTP/2) and issue 15.
     */
    @Disabled("rapid reset is not cut off on the current request engine: see the javadoc")
    @Test
    void rapidResetIsCutOffWithGoAway() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        Http2Frames client = Http2Frames.connect(tlsPort, READ_TIMEOUT);
        byte[] request = Http2Frames.getRequest("/hello.php");
        Thread flood = flood(client, FLOOD_STREAMS, sent, (c, i) -> {
            int stream = 2 * i + 1;
            c.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, stream, request);
            c.send(Http2Frames.RST_STREAM, 0, stream, Http2Frames.errorCode(Http2Frames.CANCEL));
        });
        boolean ended;
        try {
            client.awaitGoAway(); // Undertow's answer to too many resets, or the close
            ended = client.closedByServer();
        } catch (SocketTimeoutException e) {
            ended = false;
        } finally {
            end(client, flood);
        }
        assertTrue(ended, "after " + sent.get() + " opened and reset streams the server neither sent GOAWAY nor"
                + " closed within " + READ_TIMEOUT.toSeconds() + " s");
        assertTrue(sent.get() < FLOOD_STREAMS, "the server took all " + sent.get() + " streams");
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
        Http2Frames client = Http2Frames.connect(tlsPort, READ_TIMEOUT);
        // Each asks for an ACK that is never read.
        Thread flood = flood(client, SETTINGS_FLOOD, sent, (c, i) -> c.send(Http2Frames.SETTINGS, 0, 0, new byte[0]));
        try {
            stillServes();
            flood.join(READ_TIMEOUT.toMillis());
        } finally {
            end(client, flood);
        }
        assertTrue(sent.get() < SETTINGS_FLOOD, "the server took all " + sent.get() + " SETTINGS frames");
        stillServes();
    }
}
