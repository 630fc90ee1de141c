package io.gatehouse.itest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.Peers;
import io.gatehouse.itest.support.TempDirs;
import io.gatehouse.itest.support.TlsPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.gatehouse.itest.support.ConfigFiles.quote;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * testssl.sh's scan of an HTTPS listener on lighttpd's defaults, with an RSA certificate as most
 * sites have: protocols, cipher categories, forward secrecy and the known vulnerabilities. The
 * certificate checks are left out (a test's certificate is self-signed); the README has a full
 * scan's summary.
 */
@ExtendWith(LeakCheck.class)
class TlsScanTest {

    /** The scan takes 30 to 60 s here; testssl.sh runs thousands of handshakes through openssl. */
    private static final Duration SCAN_TIMEOUT = Duration.ofMinutes(4);

    private Path dir;

    @BeforeEach
    void createDir() {
        dir = TempDirs.create("gh-tls-scan");
        LeakCheck.expectGone(dir);
    }

    @AfterEach
    void deleteDir() {
        TempDirs.deleteRecursively(dir);
    }

    @Test
    void testsslFindsOnlyCurrentProtocolsForwardSecretAeadSuitesAndNoVulnerability() throws IOException {
        Files.createDirectory(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "scanned\n");
        TlsPeers.openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "site.key",
                "-subj", "/CN=localhost", "-days", "30", "-out", "site.crt");
        int port = FreePort.get();
        int tlsPort = FreePort.get();
        Path conf = ConfigFiles.append(ConfigFiles.write(dir.resolve("gh.conf"),
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.document-root = " + quote(dir.resolve("www").toString()),
                "server.errorlog = " + quote(dir.resolve("error.log").toString())),
                ConfigFiles.tlsListener(tlsPort, dir).toArray(String[]::new));
        String scan;
        try (GatehouseProcess gatehouse = GatehouseProcess.startWithLauncher(conf, tlsPort)) {
            // -p protocols, -s cipher categories, -f forward secrecy, -U vulnerabilities
            TlsPeers.Run run = TlsPeers.run(dir, List.of(Peers.require("testssl").toString(), "--quiet", "--color",
                    "0", "--warnings", "off", "--ip", "127.0.0.1", "-p", "-s", "-f", "-U",
                    "127.0.0.1:" + tlsPort), SCAN_TIMEOUT);
            scan = run.output();
            assertTrue(gatehouse.isAlive(), scan);
        }
        for (String line : List.of(
                "SSLv2 +not offered \\(OK\\)", "SSLv3 +not offered \\(OK\\)", "TLS 1 +not offered",
                "TLS 1\\.1 +not offered", "TLS 1\\.2 +offered \\(OK\\)", "TLS 1\\.3 +offered \\(OK\\)",
                "ALPN/HTTP2 +h2, http/1\\.1 \\(offered\\)",
                "NULL ciphers \\(no encryption\\) +not offered \\(OK\\)",
                "Export ciphers \\(w/o ADH\\+NULL\\) +not offered \\(OK\\)",
                "LOW: 64 Bit \\+ DES, RC\\[2,4\\] \\(w/o export\\) +not offered \\(OK\\)",
                "Triple DES Ciphers / IDEA +not offered", "Obsolete CBC ciphers \\(AES, ARIA etc\\.\\) +not offered",
                "Strong encryption \\(AEAD ciphers\\) +offered \\(OK\\)", "PFS is offered \\(OK\\)",
                "ROBOT +Server does not support any cipher suites that use RSA key transport",
                "Secure Client-Initiated Renegotiation +not vulnerable \\(OK\\)",
                "Heartbleed \\(CVE-2014-0160\\) +not vulnerable \\(OK\\)")) {
            assertTrue(Pattern.compile("(?m)^ *" + line).matcher(scan).find(), "no line '" + line + "' in:\n" + scan);
        }
        assertTrue(!scan.contains("VULNERABLE") && !scan.contains("NOT ok"), scan);
        assertTrue(Pattern.compile("(?m)^ *Testing vulnerabilities").matcher(scan).find(), scan);
    }
}
