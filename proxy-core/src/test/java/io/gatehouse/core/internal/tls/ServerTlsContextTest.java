package io.gatehouse.core.internal.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.gatehouse.conf.Guard;
import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.RequestFacts;
import io.gatehouse.conf.SourceLocation;
import io.gatehouse.conf.TlsSettings;
import io.gatehouse.conf.TlsSettings.HostCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Certificates and keys as openssl writes them, loaded into a server context, and the files that must fail. */
class ServerTlsContextTest {

    @TempDir
    Path dir;

    private static ServerTlsContext load(Path pem, Path key) throws TlsFileException {
        return ServerTlsContext.load(TlsSettings.of(pem, Optional.ofNullable(key)), Instant.now());
    }

    private static String failure(Path pem, Path key) {
        return assertThrows(TlsFileException.class, () -> load(pem, key)).getMessage();
    }

    @Test
    void everyKeyFormatLighttpdReadsLoads() throws Exception {
        OpenSslFiles files = new OpenSslFiles(dir);
        Path pkcs8Rsa = files.rsaKey("rsa-pkcs8.pem");
        files.openssl("rsa", "-in", "rsa-pkcs8.pem", "-traditional", "-out", "rsa-pkcs1.pem");
        Path sec1 = files.ecKey("ec-sec1.pem");
        files.openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec-sec1.pem", "-out", "ec-pkcs8.pem");
        files.openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.pem");
        assertTrue(Files.readString(files.path("rsa-pkcs1.pem")).contains("BEGIN RSA PRIVATE KEY"));
        assertTrue(Files.readString(sec1).contains("BEGIN EC PRIVATE KEY"));

        Path rsaCert = files.selfSigned(pkcs8Rsa, "/CN=rsa.example", 30, "rsa.crt");
        assertEquals("CN=rsa.example", load(rsaCert, pkcs8Rsa).chain().get(0).getSubjectX500Principal().getName());
        load(rsaCert, files.path("rsa-pkcs1.pem"));
        Path ecCert = files.selfSigned(sec1, "/CN=ec.example", 30, "ec.crt");
        load(ecCert, sec1);
        load(ecCert, files.path("ec-pkcs8.pem"));
        Path edCert = files.selfSigned(files.path("ed25519.pem"), "/CN=ed.example", 30, "ed.crt");
        load(edCert, files.path("ed25519.pem"));
        // lighttpd's ssl.pemfile may hold the key too, before or after the certificate.
        load(files.concat("combined.pem", sec1, ecCert), null);
    }

    @Test
    void aChainKeepsItsIntermediates() throws Exception {
        OpenSslFiles files = new OpenSslFiles(dir);
        Path caKey = files.ecKey("ca.key");
        Path ca = files.selfSigned(caKey, "/CN=Test CA", 30, "ca.crt");
        Path key = files.ecKey("leaf.key");
        Path leaf = files.signed(key, "/CN=leaf.example", ca, caKey, "leaf.crt");
        ServerTlsContext context = load(files.concat("chain.pem", leaf, ca), key);
        assertEquals(2, context.chain().size());
        assertEquals("CN=leaf.example", context.chain().get(0).getSubjectX500Principal().getName());
    }

    @Test
    void filesThatCannotServeNameTheFileAndTheFix() throws Exception {
        OpenSslFiles files = new OpenSslFiles(dir);
        Path key = files.ecKey("a.key");
        Path cert = files.selfSigned(key, "/CN=a", 30, "a.crt");
        Path otherKey = files.ecKey("b.key");
        files.openssl("pkcs8", "-topk8", "-in", "a.key", "-v2", "aes-256-cbc", "-passout", "pass:secret",
                "-out", "encrypted.key");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\n%%%\n"
                + "-----END CERTIFICATE-----\n");

        assertTrue(failure(cert, otherKey).contains("does not match the certificate CN=a"), failure(cert, otherKey));
        assertTrue(failure(cert, files.path("encrypted.key")).contains("holds an encrypted private key, which cannot"
                + " be read unattended: decrypt it with `openssl pkey"));
        assertTrue(failure(cert, null).contains("a.crt holds no private key"), failure(cert, null));
        assertTrue(failure(key, key).contains("a.key holds no certificate"), failure(key, key));
        assertTrue(failure(garbage, key).contains("garbage.pem cannot be read as PEM"), failure(garbage, key));
        assertTrue(failure(dir.resolve("missing.crt"), key).endsWith("missing.crt does not exist"));
        assertTrue(failure(cert, files.concat("two.key", key, otherKey)).contains("holds more than one private key"));
    }

    @Test
    void anOversizedFileIsRefusedBeforeItIsRead() throws Exception {
        Path huge = dir.resolve("huge.pem");
        Files.write(huge, new byte[(int) PemFiles.MAX_FILE_BYTES + 1]);
        assertTrue(failure(huge, huge).contains("is larger than " + PemFiles.MAX_FILE_BYTES + " bytes"));
    }

    @Test
    void expiredAndExpiringCertificates() throws Exception {
        OpenSslFiles files = new OpenSslFiles(dir);
        Path key = files.ecKey("k.pem");
        Path cert = files.selfSigned(key, "/CN=soon", 3, "soon.crt");
        TlsSettings settings = TlsSettings.of(cert, Optional.of(key));
        String expired = assertThrows(TlsFileException.class,
                () -> ServerTlsContext.load(settings, Instant.now().plus(Duration.ofDays(5)))).getMessage();
        assertTrue(expired.contains("soon.crt expired on"), expired);

        ListenerConfig listener = ListenerConfig.tcp("127.0.0.1", 8443).withTls(settings);
        List<String> warnings = new ArrayList<>();
        assertEquals(List.of(), TlsContexts.preflight(List.of(listener), Instant.now(), warnings::add));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("soon.crt expires on") && warnings.get(0).endsWith("renew it"),
                warnings.get(0));
        List<String> problems = TlsContexts.preflight(List.of(listener), Instant.now().plus(Duration.ofDays(4)),
                w -> { });
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("GH-TLS-001 "), problems.get(0));
    }

    /** A host condition that holds for every name. */
    private static final Guard ANY_HOST = new Guard() {
        @Override
        public boolean test(RequestFacts facts) {
            return true;
        }

        @Override
        public String describe() {
            return "$HTTP[\"host\"] =~ \"\"";
        }
    };

    @Test
    void hostCertificatesAreCheckedAndWarnedAboutAtTheirOwnBlock() throws Exception {
        OpenSslFiles files = new OpenSslFiles(dir);
        Path key = files.ecKey("main.key");
        Path cert = files.selfSigned(key, "/CN=main", 30, "main.crt");
        Path hostKey = files.ecKey("host.key");
        Path hostCert = files.selfSigned(hostKey, "/CN=host", 3, "host.crt");
        SourceLocation at = new SourceLocation("site.conf", 7, 17);
        TlsSettings settings = TlsSettings.of(cert, Optional.of(key))
                .withHostCertificates(List.of(new HostCertificate(ANY_HOST, hostCert, Optional.of(hostKey), at)));
        ServerTlsContext context = ServerTlsContext.load(settings, Instant.now());
        assertEquals(List.of(cert, hostCert), context.certificates().stream().map(c -> c.file()).toList());

        List<String> warnings = new ArrayList<>();
        ListenerConfig listener = ListenerConfig.tcp("127.0.0.1", 8443).withTls(settings);
        assertEquals(List.of(), TlsContexts.preflight(List.of(listener), Instant.now(), warnings::add));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("site.conf:7:17: the certificate in " + hostCert + " expires on"),
                warnings.get(0));

        TlsSettings mismatched = settings.withHostCertificates(
                List.of(new HostCertificate(ANY_HOST, hostCert, Optional.of(key), at)));
        String mismatch = assertThrows(TlsFileException.class,
                () -> ServerTlsContext.load(mismatched, Instant.now())).getMessage();
        assertTrue(mismatch.startsWith("site.conf:7:17: the private key in " + key + " does not match"), mismatch);
        TlsSettings missing = settings.withHostCertificates(
                List.of(new HostCertificate(ANY_HOST, dir.resolve("gone.crt"), Optional.empty(), at)));
        String gone = assertThrows(TlsFileException.class,
                () -> ServerTlsContext.load(missing, Instant.now())).getMessage();
        assertEquals("site.conf:7:17: " + dir.resolve("gone.crt") + " does not exist", gone);
    }
}
