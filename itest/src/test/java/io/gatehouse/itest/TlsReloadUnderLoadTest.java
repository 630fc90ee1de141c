package io.gatehouse.itest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Certificates renewed in place and SIGUSR1 sent while h2load keeps HTTPS clients busy over
 * HTTP/2 and HTTP/1.1, through the sequenced restart of php-cgi spawned by bin-path: not one
 * request may fail, and connections opened after each reload get the new certificate.
 */
@ExtendWith(LeakCheck.class)
class TlsReloadUnderLoadTest {

    /**
     * The JVM options that choose the TLS engine of the gatehouse under test: none here (JSSE, the
     * default); the Openssl subclass runs every test again on BoringSSL.
     */
    List<String> engineOptions() {
        return List.of();
    }

    private static final int RELOADS = 2;
    /** Long enough for both reloads to happen inside it, with load before, between and after. */
    private static final int LOAD_SECONDS = 6;
    private static final Duration LOG_WAIT = Duration.ofSeconds(20);
    private static final Pattern REQUESTS = Pattern.compile(
            "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored,"
                    + " (\\d+) timeout");
    private static final Pattern STATUS = Pattern.compile(
            "status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");

    private Path dir;
    private int port;
    private int tlsPort;

    @BeforeEach
    void createDir() {
        dir = TempDirs.create("gh-tls-load");
        LeakCheck.expectGone(dir);
    }

    @AfterEach
    void deleteDir() {
        TempDirs.deleteRecursively(dir);
    }

    @Test
    void certificateSwapsAndRestartsUnderHttp2AndHttp11LoadFailNoRequest() throws Exception {
        Path docroot = PhpScripts.copyInto(Files.createDirectory(dir.resolve("www")));
        TlsPeers.selfSigned(dir, "site", "/CN=localhost", 30);
        port = FreePort.get();
        tlsPort = FreePort.get();
        Path conf = ConfigFiles.append(ConfigFiles.write(dir.resolve("gh.conf"),
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.document-root = " + quote(docroot.toString()),
                "server.errorlog = " + quote(dir.resolve("error.log").toString()),
                // h2load 1.52 (Debian 12) can hang for good when an HTTP/1.1 connection it must
                // reopen closes as its run ends (nghttp2 pull request 2249, fixed upstream in
                // October 2024). Its connections reached the default limit of 1,000 requests
                // within the 6 s, so here no connection is closed by that limit.
                "server.max-keep-alive-requests = 1000000",
                "fastcgi.server = ( \".php\" => ( \"php\" => ( \"socket\" => " + quote(dir.resolve("php.sock").toString())
                        + ", \"bin-path\" => " + quote(Peers.require("php-cgi").toString())
                        + ", \"max-procs\" => 1, \"bin-environment\" => ( \"PHP_FCGI_CHILDREN\" => \"4\" ) ) ) )"),
                ConfigFiles.tlsListener(tlsPort, dir).toArray(String[]::new));
        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, tlsPort, engineOptions())) {
            String url = "https://127.0.0.1:" + tlsPort + "/hello.php";
            Process http2 = h2load("http2.out", "-c", "4", "-m", "4", url);
            Process http11 = h2load("http11.out", "--h1", "-c", "4", url);
            List<String> serials = new ArrayList<>(List.of(TlsPeers.servedSerial(dir, tlsPort)));
            for (int generation = 2; generation <= RELOADS + 1; generation++) {
                Thread.sleep(1_500);
                TlsPeers.selfSigned(dir, "site", "/CN=localhost", 30); // renewed in place, as certbot does
                gatehouse.signal("USR1");
                awaitLog(gatehouse, "generation " + generation + " serving");
                serials.add(TlsPeers.servedSerial(dir, tlsPort));
                assertNotEquals(serials.get(serials.size() - 2), serials.get(serials.size() - 1),
                        "connections after reload " + (generation - 1) + " get the renewed certificate");
            }
            assertAllSucceeded("HTTP/2", http2, dir.resolve("http2.out"));
            assertAllSucceeded("HTTP/1.1", http11, dir.resolve("http11.out"));
            assertTrue(gatehouse.isAlive());
        }
    }

    /** Starts h2load for {@link #LOAD_SECONDS} with {@code args}, its output to {@code out} in the test's directory. */
    private Process h2load(String out, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Peers.require("h2load").toString(),
                "-D", Integer.toString(LOAD_SECONDS), "-t", "1"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(dir.resolve(out).toFile()).start();
    }

    private static void assertAllSucceeded(String what, Process h2load, Path out) throws Exception {
        if (!h2load.waitFor(LOAD_SECONDS + 30L, TimeUnit.SECONDS)) {
            h2load.destroyForcibly().waitFor();
            fail(what + ": h2load still running " + (LOAD_SECONDS + 30) + " s after it started (killed)");
        }
        String output = Files.readString(out, StandardCharsets.ISO_8859_1);
        assertEquals(0, h2load.exitValue(), output);
        Matcher requests = REQUESTS.matcher(output);
        Matcher status = STATUS.matcher(output);
        assertTrue(requests.find() && status.find(), output);
        System.out.println(what + " through " + RELOADS + " reloads: " + requests.group() + "; " + status.group());
        long done = Long.parseLong(requests.group(3));
        assertTrue(done > 100, what + ": too few requests to tell anything\n" + output);
        assertEquals(done, Long.parseLong(requests.group(4)), what + ": every request done succeeded\n" + output);
        assertEquals("0 0 0", requests.group(5) + " " + requests.group(6) + " " + requests.group(7),
                what + ": failed, errored, timed out\n" + output);
        // h2load counts a status when the response head arrives, a request as done when its body has: a
        // response cut by the end of the run is a 2xx that is not done, so only "no other status" is exact.
        long ok = Long.parseLong(status.group(1));
        assertTrue(ok >= done && ok <= Long.parseLong(requests.group(2)), what + ": a 2xx for every request done\n" + output);
        assertEquals("0 0 0", status.group(2) + " " + status.group(3) + " " + status.group(4),
                what + ": 3xx, 4xx, 5xx\n" + output);
    }

    private void awaitLog(GatehouseProcess gatehouse, String text) throws InterruptedException {
        LogFiles.await(dir.resolve("error.log"), text, LOG_WAIT, gatehouse::logTail);
    }
}
