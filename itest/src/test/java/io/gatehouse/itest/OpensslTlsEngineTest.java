package io.gatehouse.itest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseCli;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.TempDirs;
import io.gatehouse.itest.support.TlsPeers;
import io.gatehouse.itest.support.TrustAnything;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.gatehouse.itest.support.ConfigFiles.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the BoringSSL engine has: settings it cannot honour and a platform without its native
 * library fail the start (never a silent fallback to JSSE or to other settings), and its engines'
 * native memory is given back when connections close, aborted handshakes included.
 */
@ExtendWith(LeakCheck.class)
class OpensslTlsEngineTest {

    /** Full handshakes before the first RSS reading: the JIT, the pools and the heap settle. */
    private static final int WARM_UP_HANDSHAKES = 1_000;
    private static final int MEASURED_HANDSHAKES = 3_000;
    /**
     * RSS may grow this much over the measured handshakes (heap fixed at 64 MB). A released
     * BoringSSL {@code SSL} with its buffers is tens of KB: 3,000 of them leaked would be well past it.
     */
    private static final long RSS_GROWTH_LIMIT_KB = 16 * 1024;
    private static final Duration HANDSHAKE_LOOP_LIMIT = Duration.ofSeconds(180);

    private Path dir;
    private int port;
    private int tlsPort;

    @BeforeEach
    void createDir() throws IOException {
        dir = TempDirs.create("gh-boringssl");
        LeakCheck.expectGone(dir);
        Files.createDirectory(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "hello\n");
        port = FreePort.get();
        tlsPort = FreePort.get();
        TlsPeers.selfSigned(dir, "site", "/CN=localhost", 30);
    }

    @AfterEach
    void deleteDir() {
        TempDirs.deleteRecursively(dir);
    }

    private Path config(String... tlsLines) {
        List<String> lines = new ArrayList<>(List.of(
                "server.modules += ( \"mod_openssl\" )",
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.document-root = " + quote(dir.resolve("www").toString()),
                "server.errorlog = " + quote(dir.resolve("error.log").toString())));
        lines.addAll(ConfigFiles.tlsListener(tlsPort, dir, tlsLines));
        return ConfigFiles.write(dir.resolve("gh.conf"), lines.toArray(String[]::new));
    }

    @Test
    void tls13SuitesBoringSslCannotLimitFailTheStartAndThePreflightNamingTheListener() {
        Path conf = config("  ssl.openssl.ssl-conf-cmd = ( \"Ciphersuites\" => \"TLS_AES_256_GCM_SHA384\" )");
        List<String> serve = List.of("-D", "-f", conf.toString());
        GatehouseCli.Result start = GatehouseCli.run(OpensslEngine.JVM_OPTIONS, serve, dir, GatehouseCli.RUN_TIMEOUT);
        assertNotEquals(0, start.exitCode(), start.describe());
        // line 7: ssl.engine, where the listener's TLS is configured
        assertTrue(start.stderr().contains("gh.conf:7:"), start.describe());
        assertTrue(start.stderr().contains("tls-engine = openssl cannot honour the TLS 1.3 cipher suites"),
                start.describe());

        GatehouseCli.Result preflight = GatehouseCli.run(OpensslEngine.JVM_OPTIONS,
                List.of("-tt", "-f", conf.toString()), dir, GatehouseCli.RUN_TIMEOUT);
        assertNotEquals(0, preflight.exitCode(), preflight.describe());
        assertTrue(preflight.stderr().contains("Ciphersuites"), preflight.describe());
        GatehouseCli.Result jssePreflight = GatehouseCli.run(List.of("-tt", "-f", conf.toString()), dir,
                GatehouseCli.RUN_TIMEOUT);
        assertEquals(0, jssePreflight.exitCode(), "JSSE honours it:\n" + jssePreflight.describe());
    }

    @Test
    void withoutItsNativeLibraryTheEngineFailsTheStartNamingTheOption() {
        List<String> jvm = new ArrayList<>(OpensslEngine.JVM_OPTIONS);
        // A file as netty's extraction directory: the bundled BoringSSL cannot be unpacked, as on
        // a platform it was not built for.
        jvm.add("-Dio.netty.native.workdir=" + dir.resolve("site.crt"));
        GatehouseCli.Result start = GatehouseCli.run(jvm, List.of("-D", "-f", config().toString()), dir,
                GatehouseCli.RUN_TIMEOUT);
        assertNotEquals(0, start.exitCode(), start.describe());
        assertTrue(start.stderr().contains("tls-engine = openssl, but BoringSSL"), start.describe());
        assertTrue(start.stderr().contains("use tls-engine = jsse"), start.describe());
    }

    @Test
    void thousandsOfHandshakesGiveTheirNativeMemoryBack() throws Exception {
        List<String> jvm = new ArrayList<>(OpensslEngine.JVM_OPTIONS);
        // A fixed heap, so RSS moves with native memory; every engine tracked by netty's leak detector.
        jvm.addAll(List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-Dio.netty.leakDetection.level=paranoid"));
        try (GatehouseProcess gatehouse = GatehouseProcess.start(config(), tlsPort, jvm)) {
            SSLContext client = TrustAnything.context();
            long deadline = System.nanoTime() + HANDSHAKE_LOOP_LIMIT.toNanos();
            handshakes(client, WARM_UP_HANDSHAKES, deadline);
            collectGarbage(gatehouse);
            long before = rssKb(gatehouse.pid());
            handshakes(client, MEASURED_HANDSHAKES, deadline);
            collectGarbage(gatehouse);
            handshakes(client, 50, deadline); // the leak detector reports while tracking new engines
            long after = rssKb(gatehouse.pid());
            System.out.println("RSS over " + MEASURED_HANDSHAKES + " handshakes: " + before + " kB -> " + after + " kB");
            assertTrue(after - before < RSS_GROWTH_LIMIT_KB, "RSS grew from " + before + " kB to " + after
                    + " kB over " + MEASURED_HANDSHAKES + " handshakes");
            assertFalse(gatehouse.log().contains("LEAK:"), gatehouse.logTail());
        }
    }

    /**
     * {@code count} connections: most a full handshake and a request, every tenth cut in the middle
     * of the handshake, every tenth+5 closed before it: each kind must release its engine.
     */
    private void handshakes(SSLContext client, int count, long deadline) throws IOException {
        byte[] request = "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < count; i++) {
            assertTrue(System.nanoTime() < deadline, "handshakes took longer than " + HANDSHAKE_LOOP_LIMIT);
            if (i % 10 == 5) {
                new Socket("127.0.0.1", tlsPort).close();
            } else if (i % 10 == 9) {
                halfAClientHello();
            } else {
                try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(request);
                    out.flush();
                    String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertTrue(reply.startsWith("HTTP/1.1 200") && reply.endsWith("hello\n"), reply);
                }
            }
        }
    }

    /** A TLS record header announcing a ClientHello, and a few bytes of it: the engine has begun. */
    private void halfAClientHello() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", tlsPort), 5_000);
            socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc,
                    0x03, 0x03});
            socket.getOutputStream().flush();
        }
    }

    private static void collectGarbage(GatehouseProcess gatehouse) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(gatehouse.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (InputStream ignored = jcmd.getInputStream()) {
            assertTrue(jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "jcmd GC.run did not finish");
        } finally {
            jcmd.destroyForcibly();
        }
        // Cleaners and the leak detector's reference queue run after the collection.
        Thread.sleep(500);
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }
}
