package io.gatehouse.itest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSocket;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.Curl;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseCli;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.Peers;
import io.gatehouse.itest.support.TempDirs;
import io.gatehouse.itest.support.TlsPeers;
import io.gatehouse.itest.support.TrustAnything;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.gatehouse.itest.support.ConfigFiles.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built jar serving HTTPS as lighttpd's mod_openssl config asks, in front of php-cgi spawned
 * by bin-path, against real TLS clients: curl over HTTP/1.1 and HTTP/2, nghttp, openssl s_client
 * for protocols, ALPN and client certificates, and SIGUSR1 reloads that swap the certificate.
 * Keys and certificates are made by openssl in each test's temp directory.
 */
@ExtendWith(LeakCheck.class)
class TlsE2ETest {

    /**
     * The JVM options that choose the TLS engine of the gatehouse under test: none here (JSSE, the
     * default); the Openssl subclass runs every test again on BoringSSL.
     */
    List<String> engineOptions() {
        return List.of();
    }

    private List<String> checkingEverySecond() {
        List<String> options = new ArrayList<>(engineOptions());
        options.add(CHECK_EVERY_SECOND);
        return options;
    }

    /**
     * Whether a handshake refused for its protocol version ends with TLS's alert saying so, as
     * lighttpd's does. On BoringSSL the refusal holds but the client sees the connection closed.
     */
    boolean refusesWithAnAlert() {
        return true;
    }

    /** Prints the variables mod_openssl and the scheme set, as sorted KEY=value lines. */
    private static final String TLS_PAGE = """
            <?php
            header('Content-Type: text/plain');
            $out = [];
            foreach ($_SERVER as $k => $v) {
                if (preg_match('/^(SSL_|HTTPS$|REQUEST_SCHEME$|SERVER_PORT$|SERVER_PROTOCOL$|REMOTE_USER$|AUTH_TYPE$)/', $k)
                        && is_scalar($v)) {
                    $out[$k] = (string) $v;
                }
            }
            unset($out['SSL_CERT_DIR'], $out['SSL_CERT_FILE']); // the PHP worker's own environment
            ksort($out);
            foreach ($out as $k => $v) { echo $k, '=', str_replace("\\n", '\\\\n', $v), "\\n"; }
            """;

    private static final Duration LOG_WAIT = Duration.ofSeconds(20);
    /** ssl.refresh-certs looks at the files every second instead of every minute. */
    private static final String CHECK_EVERY_SECOND = "-Dgatehouse.certificate-check-seconds=1";

    private Path dir;
    private int port;
    private int tlsPort;

    @BeforeEach
    void createDir() throws IOException {
        dir = TempDirs.create("gh-tls");
        LeakCheck.expectGone(dir);
        Files.createDirectory(dir.resolve("www"));
        Files.writeString(dir.resolve("www/tls.php"), TLS_PAGE);
        port = FreePort.get();
        tlsPort = FreePort.get();
        TlsPeers.selfSigned(dir, "site", "/CN=localhost", 30);
    }

    @AfterEach
    void deleteDir() {
        TempDirs.deleteRecursively(dir);
    }

    /**
     * The config: plain on {@code port}, TLS on {@code tlsPort} with {@code tlsLines} in its block.
     * Tests wait for {@code tlsPort}: the listeners are bound in config order.
     */
    private Path config(List<String> topLines, String... tlsLines) {
        List<String> lines = new ArrayList<>(List.of(
                "server.modules += ( \"mod_fastcgi\", \"mod_openssl\" )",
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.document-root = " + quote(dir.resolve("www").toString()),
                "server.errorlog = " + quote(dir.resolve("error.log").toString()),
                "server.pid-file = " + quote(dir.resolve("gh.pid").toString()),
                "fastcgi.server = ( \".php\" => ( \"php\" => ( \"socket\" => " + quote(dir.resolve("php.sock").toString())
                        + ", \"bin-path\" => " + quote(Peers.require("php-cgi").toString()) + ", \"max-procs\" => 1 ) ) )"));
        lines.addAll(topLines);
        lines.addAll(ConfigFiles.tlsListener(tlsPort, dir, tlsLines));
        return ConfigFiles.write(dir.resolve("gh.conf"), lines.toArray(String[]::new));
    }

    private static Map<String, String> variables(String body) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                vars.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return vars;
    }

    private Map<String, String> tlsVariables(String... curlArgs) {
        List<String> args = new ArrayList<>(List.of("-k"));
        args.addAll(List.of(curlArgs));
        Curl.Response response = Curl.request(URI.create("https://127.0.0.1:" + tlsPort + "/tls.php"),
                args.toArray(String[]::new));
        assertEquals(200, response.status(), response.text());
        return variables(response.text());
    }

    @Test
    void theBackendSeesHttpsAndModOpensslVariablesOverHttp1AndHttp2() {
        try (GatehouseProcess gatehouse = GatehouseProcess.start(config(List.of()), tlsPort, engineOptions())) {
            Map<String, String> h2 = tlsVariables("--http2");
            assertEquals("on", h2.get("HTTPS"), h2.toString());
            assertEquals("https", h2.get("REQUEST_SCHEME"));
            assertEquals(Integer.toString(tlsPort), h2.get("SERVER_PORT"));
            assertEquals("HTTP/2.0", h2.get("SERVER_PROTOCOL"), "HTTP/2 by ALPN is on by default");
            assertEquals("TLSv1.3", h2.get("SSL_PROTOCOL"));
            assertEquals("TLS_AES_256_GCM_SHA384", h2.get("SSL_CIPHER"));
            assertEquals("256", h2.get("SSL_CIPHER_USEKEYSIZE"));
            assertNotNull(h2.get("SSL_CIPHER_ALGKEYSIZE"));

            Map<String, String> tls12 = tlsVariables("--http1.1", "--tls-max", "1.2",
                    "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256");
            assertEquals("HTTP/1.1", tls12.get("SERVER_PROTOCOL"));
            assertEquals("TLSv1.2", tls12.get("SSL_PROTOCOL"));
            assertEquals("ECDHE-ECDSA-AES128-GCM-SHA256", tls12.get("SSL_CIPHER"), "OpenSSL's name, as lighttpd's");
            assertEquals("128", tls12.get("SSL_CIPHER_USEKEYSIZE"));
            assertTrue(tls12.keySet().stream().noneMatch(k -> k.startsWith("SSL_CLIENT_")),
                    "no client variables without ssl.verifyclient.activate: " + tls12);

            Curl.Response plain = Curl.request(URI.create("http://127.0.0.1:" + port + "/tls.php"));
            Map<String, String> plainVars = variables(plain.text());
            assertEquals("http", plainVars.get("REQUEST_SCHEME"));
            assertEquals(null, plainVars.get("HTTPS"));
            assertEquals(null, plainVars.get("SSL_PROTOCOL"));

            TlsPeers.Run nghttp = TlsPeers.run(dir, List.of(Peers.require("nghttp").toString(), "-n", "-s",
                    "https://127.0.0.1:" + tlsPort + "/tls.php?a", "https://127.0.0.1:" + tlsPort + "/tls.php?b"));
            assertEquals(0, nghttp.exitCode(), nghttp.output());
            assertEquals(2, nghttp.output().lines().filter(l -> l.contains("/tls.php") && l.contains(" 200 ")).count(),
                    "two streams on one HTTP/2 connection, both 200:\n" + nghttp.output());
        }
    }

    @Test
    void tls12And13AreNegotiatedAndTls11IsRefused() {
        try (GatehouseProcess gatehouse = GatehouseProcess.start(config(List.of()), tlsPort, engineOptions())) {
            TlsPeers.Run old = TlsPeers.handshake(dir, tlsPort, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
            assertNotEquals(0, old.exitCode(), old.output());
            if (refusesWithAnAlert()) {
                assertTrue(old.output().contains("alert protocol version"), old.output());
            }
            TlsPeers.Run tls12 = TlsPeers.handshake(dir, tlsPort, "-tls1_2");
            assertEquals(0, tls12.exitCode(), tls12.output());
            assertTrue(tls12.output().contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-"), tls12.output());
            TlsPeers.Run tls13 = TlsPeers.handshake(dir, tlsPort, "-tls1_3");
            assertEquals(0, tls13.exitCode(), tls13.output());
            assertTrue(tls13.output().contains("New, TLSv1.3, Cipher is TLS_"), tls13.output());
            TlsPeers.Run alpn = TlsPeers.handshake(dir, tlsPort, "-alpn", "h2,http/1.1");
            assertTrue(alpn.output().contains("ALPN protocol: h2"), alpn.output());
            TlsPeers.Run weak = TlsPeers.handshake(dir, tlsPort, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA");
            assertNotEquals(0, weak.exitCode(), "a suite outside the secure default must be refused:\n" + weak.output());
        }
    }

    @Test
    void h2protoDisabledLeavesAlpnToHttp11() {
        Path conf = config(List.of("server.feature-flags += ( \"server.h2proto\" => \"disable\" )"));
        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, tlsPort, engineOptions())) {
            assertEquals("HTTP/1.1", tlsVariables("--http2").get("SERVER_PROTOCOL"));
            TlsPeers.Run alpn = TlsPeers.handshake(dir, tlsPort, "-alpn", "h2");
            assertTrue(alpn.output().contains("No ALPN negotiated"), alpn.output());
        }
    }

    @Test
    void h2cOnlyWithItsFeatureFlagWhichAReloadTurnsOn() throws Exception {
        try (GatehouseProcess gatehouse = GatehouseProcess.start(config(List.of()), tlsPort, engineOptions())) {
            String plain = "http://127.0.0.1:" + port + "/tls.php";
            TlsPeers.Run refused = TlsPeers.run(dir, List.of(Peers.require("curl").toString(), "-sS", "--max-time", "10",
                    "--http2-prior-knowledge", plain));
            assertNotEquals(0, refused.exitCode(), "h2c prior knowledge served without server.h2c:\n" + refused.output());
            assertEquals("HTTP/1.1", variables(Curl.request(URI.create(plain), "--http2").text()).get("SERVER_PROTOCOL"),
                    "no upgrade to h2c without server.h2c");

            config(List.of("server.feature-flags += ( \"server.h2c\" => \"enable\" )"));
            gatehouse.signal("USR1");
            awaitLog(gatehouse, "generation 2 serving");
            assertEquals("HTTP/2.0", variables(Curl.request(URI.create(plain), "--http2-prior-knowledge").text())
                    .get("SERVER_PROTOCOL"));
            assertEquals("HTTP/2.0", variables(Curl.request(URI.create(plain), "--http2").text()).get("SERVER_PROTOCOL"));
        }
    }

    @Test
    void reloadServesTheNewCertificateToNewConnectionsAndKeepsOpenOnes() throws Exception {
        // The kept connection idles through two reloads: longer than lighttpd's 5 s keep-alive default.
        Path conf = config(List.of("server.max-keep-alive-idle = 120"));
        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, tlsPort, engineOptions())) {
            String first = TlsPeers.servedSerial(dir, tlsPort);
            try (SSLSocket kept = keptAliveConnection()) {
                X509Certificate keptCert = (X509Certificate) kept.getSession().getPeerCertificates()[0];

                TlsPeers.selfSigned(dir, "site", "/CN=renewed", 30); // renewed in place, as certbot does
                gatehouse.signal("USR1");
                awaitLog(gatehouse, "generation 2 serving");
                String second = TlsPeers.servedSerial(dir, tlsPort);
                assertNotEquals(first, second, "a new connection gets the new certificate");
                assertEquals("HTTP/2.0", tlsVariables("--http2").get("SERVER_PROTOCOL"), "HTTP/2 after the reload");
                assertEquals("HTTP/1.1", tlsVariables("--http1.1").get("SERVER_PROTOCOL"));

                assertEquals(200, keptAliveGet(kept), "the connection open across the reload still serves");
                assertEquals(keptCert, kept.getSession().getPeerCertificates()[0]);

                Files.writeString(dir.resolve("site.key"), "not a key\n");
                gatehouse.signal("USR1");
                awaitLog(gatehouse, "GH-TLS-001");
                assertTrue(LogFiles.read(dir.resolve("error.log")).contains("reload rejected, still serving generation 2"));
                assertEquals(second, TlsPeers.servedSerial(dir, tlsPort), "the old certificate keeps serving");
                assertEquals(200, keptAliveGet(kept));
                assertTrue(gatehouse.isAlive());
            }
        }
    }

    /**
     * {@code ssl.refresh-certs} (a {@code server.feature-flags} entry, as in lighttpd 1.4.78+):
     * a certificate renewed in place is served to new connections without a signal, open ones keep
     * theirs; a key that does not match is logged and the certificate read before keeps serving.
     */
    @Test
    void refreshCertsServesARenewedCertificateWithoutASignal() throws Exception {
        Path conf = config(List.of("server.feature-flags = ( \"ssl.refresh-certs\" => \"enable\" )",
                "server.max-keep-alive-idle = 120"));
        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, tlsPort, checkingEverySecond())) {
            String first = TlsPeers.servedSerial(dir, tlsPort);
            try (SSLSocket kept = keptAliveConnection()) {
                X509Certificate keptCert = (X509Certificate) kept.getSession().getPeerCertificates()[0];

                TlsPeers.selfSigned(dir, "site", "/CN=renewed", 30);
                awaitLog(gatehouse, "new connections get the certificates read now");
                String second = TlsPeers.servedSerial(dir, tlsPort);
                assertNotEquals(first, second, "a new connection gets the renewed certificate");
                assertEquals(200, keptAliveGet(kept), "the open connection still serves");
                assertEquals(keptCert, kept.getSession().getPeerCertificates()[0]);

                Files.writeString(dir.resolve("site.key"), "not a key\n");
                awaitLog(gatehouse, "the certificates read before keep serving");
                assertEquals(second, TlsPeers.servedSerial(dir, tlsPort), "the certificate read before keeps serving");
                assertEquals(1, LogFiles.read(dir.resolve("error.log")).split("the certificates read before", -1).length - 1,
                        "a file that stays broken is reported once, not at every check");
                assertTrue(gatehouse.isAlive());
            }
        }
    }

    @Test
    void withoutRefreshCertsARenewedCertificateWaitsForAReload() throws Exception {
        try (GatehouseProcess gatehouse = GatehouseProcess.start(config(List.of()), tlsPort, checkingEverySecond())) {
            String first = TlsPeers.servedSerial(dir, tlsPort);
            TlsPeers.selfSigned(dir, "site", "/CN=renewed", 30);
            Thread.sleep(3_000); // three checks' worth
            assertEquals(first, TlsPeers.servedSerial(dir, tlsPort));
            assertTrue(!LogFiles.read(dir.resolve("error.log")).contains("ssl.refresh-certs"));
        }
    }

    /**
     * SNI, configured as lighttpd configures it: {@code ssl.pemfile} in {@code $HTTP["host"]}
     * blocks at the top level and inside the listener's block, chosen by the name the client asks
     * for, the listener's own certificate otherwise; a reload re-reads them, and one that fails to
     * load is a failed reload naming its block.
     */
    @Test
    void sniServesTheCertificateOfTheMatchingHostBlock() throws Exception {
        TlsPeers.selfSigned(dir, "a", "/CN=a.example", 30);
        TlsPeers.selfSigned(dir, "org", "/CN=any.org", 30);
        Path conf = config(List.of(
                        "$HTTP[\"host\"] =~ \"\\.org$\" {",
                        "  ssl.pemfile = " + quote(dir.resolve("org.crt").toString()),
                        "  ssl.privkey = " + quote(dir.resolve("org.key").toString()),
                        "}"),
                "  $HTTP[\"host\"] == \"a.example\" {",
                "    ssl.pemfile = " + quote(dir.resolve("a.crt").toString()),
                "    ssl.privkey = " + quote(dir.resolve("a.key").toString()),
                "  }");
        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, tlsPort, engineOptions())) {
            assertEquals("subject=CN = a.example", TlsPeers.servedSubject(dir, tlsPort, "a.example"));
            assertEquals("subject=CN = any.org", TlsPeers.servedSubject(dir, tlsPort, "www.example.org"));
            assertEquals("subject=CN = localhost", TlsPeers.servedSubject(dir, tlsPort, "b.example"));
            assertEquals("subject=CN = localhost", TlsPeers.servedSubject(dir, tlsPort, null), "no name asked for");
            Curl.Response response = Curl.request(URI.create("https://a.example:" + tlsPort + "/tls.php"),
                    "--resolve", "a.example:" + tlsPort + ":127.0.0.1", "--http2",
                    "--cacert", dir.resolve("a.crt").toString());
            assertEquals(200, response.status(), response.text());
            assertEquals("HTTP/2.0", variables(response.text()).get("SERVER_PROTOCOL"));

            TlsPeers.selfSigned(dir, "a", "/CN=a.example renewed", 30);
            gatehouse.signal("USR1");
            awaitLog(gatehouse, "generation 2 serving");
            assertEquals("subject=CN = a.example renewed", TlsPeers.servedSubject(dir, tlsPort, "a.example"));

            Files.writeString(dir.resolve("org.key"), "not a key\n");
            gatehouse.signal("USR1");
            awaitLog(gatehouse, "GH-TLS-001");
            String log = LogFiles.read(dir.resolve("error.log"));
            assertTrue(log.contains("gh.conf:9:17: " + dir.resolve("org.key") + " holds no private key"), log);
            assertTrue(log.contains("reload rejected, still serving generation 2"), log);
            assertEquals("subject=CN = any.org", TlsPeers.servedSubject(dir, tlsPort, "x.org"));
        }
    }

    @Test
    void clientCertificatesAreVerifiedAndExportedAsLighttpdDoes() {
        TlsPeers.selfSigned(dir, "clients", "/CN=Client CA", 30);
        TlsPeers.signedBy(dir, "clients", "alice", "/C=DE/O=Example/CN=alice");
        TlsPeers.selfSigned(dir, "mallory", "/CN=mallory", 30);
        Path conf = config(List.of(),
                "  ssl.ca-file = " + quote(dir.resolve("clients.crt").toString()),
                "  ssl.verifyclient.activate = \"enable\"",
                "  ssl.verifyclient.enforce = \"disable\"",
                "  ssl.verifyclient.username = \"SSL_CLIENT_S_DN_CN\"");
        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, tlsPort, engineOptions())) {
            Map<String, String> alice = tlsVariables("--cert", dir.resolve("alice.crt").toString(),
                    "--key", dir.resolve("alice.key").toString());
            assertEquals("SUCCESS", alice.get("SSL_CLIENT_VERIFY"), alice.toString());
            assertEquals("C = DE, O = Example, CN = alice", alice.get("SSL_CLIENT_S_DN"));
            assertEquals("alice", alice.get("SSL_CLIENT_S_DN_CN"));
            assertEquals("Example", alice.get("SSL_CLIENT_S_DN_O"));
            assertEquals("alice", alice.get("REMOTE_USER"));
            assertEquals("SSL_CLIENT_VERIFY", alice.get("AUTH_TYPE"));
            String serial = TlsPeers.openssl(dir, "x509", "-in", "alice.crt", "-noout", "-serial").strip();
            assertEquals(serial, "serial=" + alice.get("SSL_CLIENT_M_SERIAL"));

            assertEquals("NONE", tlsVariables().get("SSL_CLIENT_VERIFY"));
            Map<String, String> mallory = tlsVariables("--cert", dir.resolve("mallory.crt").toString(),
                    "--key", dir.resolve("mallory.key").toString());
            assertTrue(mallory.get("SSL_CLIENT_VERIFY").startsWith("FAILED:"), mallory.toString());
            assertEquals(null, mallory.get("REMOTE_USER"), "a certificate that failed names no user");
        }
    }

    /**
     * A client that comes back with the session of an earlier handshake skips the certificate
     * exchange, and with it the verifier. The verdict must stay the first handshake's: a
     * certificate that failed (enforce disabled) stays FAILED, never SUCCESS for its subject; a
     * verified one keeps its variables. Resumed with the verdict (JSSE keeps it in the session
     * object) or not resumed at all (BoringSSL's engine, whose resumed sessions lose it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"1.2", "1.3"})
    void aClientComingBackWithItsSessionKeepsTheVerdictOfItsCertificate(String version) {
        TlsPeers.selfSigned(dir, "clients", "/CN=Client CA", 30);
        TlsPeers.signedBy(dir, "clients", "carol", "/CN=carol");
        TlsPeers.selfSigned(dir, "mallory", "/CN=mallory", 30);
        Path conf = config(List.of(),
                "  ssl.ca-file = " + quote(dir.resolve("clients.crt").toString()),
                "  ssl.verifyclient.activate = \"enable\"",
                "  ssl.verifyclient.enforce = \"disable\"");
        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, tlsPort, engineOptions())) {
            for (String client : List.of("carol", "mallory")) {
                String first = requestWithSession(version, client, "-sess_out");
                String again = requestWithSession(version, client, "-sess_in");
                assertEquals(clientVariables(first), clientVariables(again),
                        "the connection that offered " + client + "'s session:\n" + again);
            }
            assertTrue(clientVariables(requestWithSession(version, "carol", "-sess_in"))
                    .contains("SSL_CLIENT_VERIFY=SUCCESS"));
            assertTrue(clientVariables(requestWithSession(version, "mallory", "-sess_in")).stream()
                    .anyMatch(line -> line.startsWith("SSL_CLIENT_VERIFY=FAILED:")));
        }
    }

    /** The SSL_CLIENT_* lines of a response. */
    private static List<String> clientVariables(String output) {
        return output.lines().filter(line -> line.startsWith("SSL_CLIENT_")).toList();
    }

    /**
     * GET /tls.php over HTTP/1.0 by {@code openssl s_client} with {@code client}'s certificate and
     * TLS {@code version}, saving ({@code -sess_out}) or offering ({@code -sess_in}) the session in
     * {@code client}.session: s_client's output (its "New" or "Reused" line) and the response. A
     * server that resumes nothing gives no session to save, and then none is offered.
     */
    private String requestWithSession(String version, String client, String sessionOption) {
        String session = client + ".session";
        List<String> sessionArgs = sessionOption.equals("-sess_in") && !Files.exists(dir.resolve(session))
                ? List.of() : List.of(sessionOption, session);
        String command = String.join(" ", Peers.require("openssl").toString(), "s_client", "-connect",
                "127.0.0.1:" + tlsPort, "-servername", "localhost", "-tls" + version.replace('.', '_'),
                "-cert", client + ".crt", "-key", client + ".key", String.join(" ", sessionArgs), "-ign_eof");
        TlsPeers.Run run = TlsPeers.run(dir, List.of("sh", "-c",
                "printf 'GET /tls.php HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' | " + command));
        assertEquals(0, run.exitCode(), run.output());
        return run.output();
    }

    @Test
    void enforcedClientVerificationRefusesAClientWithoutACertificate() {
        TlsPeers.selfSigned(dir, "clients", "/CN=Client CA", 30);
        TlsPeers.signedBy(dir, "clients", "bob", "/CN=bob");
        Path conf = config(List.of(),
                "  ssl.ca-file = " + quote(dir.resolve("clients.crt").toString()),
                "  ssl.verifyclient.activate = \"enable\"");
        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, tlsPort, engineOptions())) {
            TlsPeers.Run anonymous = TlsPeers.run(dir, List.of(Peers.require("curl").toString(), "-sk",
                    "--max-time", "10", "https://127.0.0.1:" + tlsPort + "/tls.php"));
            assertNotEquals(0, anonymous.exitCode(), "served without a client certificate:\n" + anonymous.output());
            assertEquals("SUCCESS", tlsVariables("--cert", dir.resolve("bob.crt").toString(),
                    "--key", dir.resolve("bob.key").toString()).get("SSL_CLIENT_VERIFY"));
        }
    }

    @Test
    void preflightChecksTheCertificateFiles() throws IOException {
        Path conf = config(List.of());
        TlsPeers.selfSigned(dir, "site", "/CN=soon", 5);
        GatehouseCli.Result expiring = GatehouseCli.run("-tt", "-f", conf.toString());
        assertEquals(0, expiring.exitCode(), expiring.describe());
        assertTrue(expiring.stderr().contains("site.crt expires on") && expiring.stderr().contains("renew it"),
                expiring.describe());

        TlsPeers.openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "site.key");
        GatehouseCli.Result mismatch = GatehouseCli.run("-tt", "-f", conf.toString());
        assertEquals(3, mismatch.exitCode(), mismatch.describe());
        assertTrue(mismatch.stderr().contains("GH-TLS-001") && mismatch.stderr().contains("does not match the certificate"),
                mismatch.describe());
    }

    private void awaitLog(GatehouseProcess gatehouse, String text) throws InterruptedException {
        LogFiles.await(dir.resolve("error.log"), text, LOG_WAIT, gatehouse::logTail);
    }

    /** A TLS connection that has had one 200 from GET /tls.php and stays open for more. */
    private SSLSocket keptAliveConnection() throws Exception {
        SSLSocket kept = (SSLSocket) TrustAnything.context().getSocketFactory().createSocket("127.0.0.1", tlsPort);
        try {
            kept.setSoTimeout(15_000);
            assertEquals(200, keptAliveGet(kept));
            return kept;
        } catch (Exception | AssertionError e) {
            kept.close();
            throw e;
        }
    }

    /** GET /tls.php with keep-alive on {@code socket}; returns the status, having read the whole body. */
    private static int keptAliveGet(SSLSocket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("GET /tls.php HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        String status = in.readLine();
        assertNotNull(status, "connection closed");
        int length = -1;
        boolean chunked = false;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (int size = Integer.parseInt(in.readLine().strip(), 16); size > 0;
                    size = Integer.parseInt(in.readLine().strip(), 16)) {
                skipFully(in, size);
                in.readLine();
            }
            in.readLine();
        } else {
            skipFully(in, length);
        }
        return Integer.parseInt(status.split(" ")[1]);
    }

    private static void skipFully(BufferedReader in, long count) throws IOException {
        for (long left = count; left > 0; ) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                throw new IOException("connection closed with " + left + " body bytes missing");
            }
            left -= skipped;
        }
    }
}
