package io.gatehouse.conf;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static io.gatehouse.conf.Configs.error;
import static io.gatehouse.conf.Configs.parseLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lighttpd's mod_openssl settings: which listeners serve TLS, with what, and what cannot map. */
class TlsDirectivesTest {

    private static List<String> warnings(ServerConfig config) {
        return config.warnings().stream().map(ConfigWarning::toString).toList();
    }

    private static TlsSettings tlsOf(ServerConfig config, String normalizedToken) {
        return config.listeners().stream().filter(l -> l.normalizedToken().equals(normalizedToken)).findFirst()
                .orElseThrow().tls().orElseThrow();
    }

    @Test
    void socketBlockWithSslEngineServesTlsWithLighttpdDefaults() throws ConfigException {
        ServerConfig config = parseLines(
                "server.modules += ( \"mod_openssl\" )",
                "server.port = 8080",
                "$SERVER[\"socket\"] == \":8443\" {",
                "  ssl.engine = \"enable\"",
                "  ssl.pemfile = \"/etc/tls/site.pem\"",
                "}");
        assertEquals(List.of(), warnings(config));
        assertEquals(2, config.listeners().size());
        assertTrue(config.listeners().get(0).tls().isEmpty(), "the plain listener stays plain");
        TlsSettings tls = tlsOf(config, "0.0.0.0:8443");
        assertEquals(Path.of("/etc/tls/site.pem"), tls.certificateFile());
        assertEquals(Optional.empty(), tls.privateKeyFile());
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), tls.protocols());
        assertEquals(TlsSettings.DEFAULT_CIPHER_SUITES.stream().sorted().toList(),
                tls.cipherSuites().stream().sorted().toList());
        assertTrue(tls.honorCipherOrder());
        assertFalse(tls.clientVerification().activate());
        assertEquals(new SourceLocation(Configs.FILE, 4, 3), tls.location());
        assertTrue(config.http2(), "HTTP/2 over TLS is on by default, as in lighttpd 1.4.59+");
        assertFalse(config.h2c());
    }

    @Test
    void ipv6AndStarSocketsAndTopLevelSettingsAreInherited() throws ConfigException {
        ServerConfig config = parseLines(
                "ssl.pemfile = \"/etc/tls/chain.pem\"",
                "ssl.privkey = \"/etc/tls/key.pem\"",
                "$SERVER[\"socket\"] == \"[::]:443\" { ssl.engine = \"enable\" }",
                "$SERVER[\"socket\"] == \"*:8443\" {",
                "  ssl.engine = \"enable\"",
                "  ssl.pemfile = \"/other.pem\"",
                "}");
        assertEquals(List.of(), warnings(config));
        assertEquals(Optional.of(Path.of("/etc/tls/key.pem")), tlsOf(config, "[::]:443").privateKeyFile());
        assertEquals(Path.of("/etc/tls/chain.pem"), tlsOf(config, "[::]:443").certificateFile());
        assertEquals(Path.of("/other.pem"), tlsOf(config, "0.0.0.0:8443").certificateFile());
    }

    @Test
    void topLevelEngineMakesTheGlobalListenerTlsAndABlockCanTurnItOff() throws ConfigException {
        ServerConfig config = parseLines(
                "server.port = 443",
                "ssl.engine = \"enable\"",
                "ssl.pemfile = \"/site.pem\"",
                "$SERVER[\"socket\"] == \":80\" { ssl.engine = \"disable\" }");
        assertTrue(config.listeners().get(0).tls().isPresent());
        assertTrue(config.listeners().get(1).tls().isEmpty());
    }

    @Test
    void clientVerificationAsLighttpdSpellsIt() throws ConfigException {
        ServerConfig config = parseLines(
                "$SERVER[\"socket\"] == \"127.0.0.1:8443\" {",
                "  ssl.engine = \"enable\"",
                "  ssl.pemfile = \"/site.pem\"",
                "  ssl.ca-file = \"/clients-ca.pem\"",
                "  ssl.verifyclient.activate = \"enable\"",
                "  ssl.verifyclient.enforce = \"disable\"",
                "  ssl.verifyclient.depth = 2",
                "  ssl.verifyclient.username = \"SSL_CLIENT_S_DN_CN\"",
                "  ssl.verifyclient.exportcert = \"enable\"",
                "}");
        TlsSettings.ClientVerification verification = tlsOf(config, "127.0.0.1:8443").clientVerification();
        assertEquals(new TlsSettings.ClientVerification(true, false, 2, Optional.of("SSL_CLIENT_S_DN_CN"), true),
                verification);
        assertEquals(Optional.of(Path.of("/clients-ca.pem")), tlsOf(config, "127.0.0.1:8443").caFile());
    }

    @Test
    void sslConfCmdMapsProtocolsCiphersAndOptions() throws ConfigException {
        ServerConfig config = parseLines(
                "$SERVER[\"socket\"] == \":8443\" {",
                "  ssl.engine = \"enable\"",
                "  ssl.pemfile = \"/site.pem\"",
                "  ssl.openssl.ssl-conf-cmd = ( \"MinProtocol\" => \"TLSv1.3\", \"Options\" => \"-ServerPreference\",",
                "    \"Ciphersuites\" => \"TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256\", \"Curves\" => \"X25519\" )",
                "}");
        TlsSettings tls = tlsOf(config, "0.0.0.0:8443");
        assertEquals(List.of("TLSv1.3"), tls.protocols());
        assertEquals(List.of("TLS_AES_128_GCM_SHA256"), tls.cipherSuites());
        assertFalse(tls.honorCipherOrder());
        assertEquals(List.of(
                "test.conf:5:23: ssl.openssl.ssl-conf-cmd \"Ciphersuites\": \"TLS_AES_128_CCM_SHA256\" is not a TLS 1.3"
                        + " suite the JDK implements (ignored)",
                "test.conf:5:72: ssl.openssl.ssl-conf-cmd \"Curves\" has no JSSE equivalent in gatehouse (ignored)"),
                warnings(config));
    }

    @Test
    void cipherStringsAreEvaluatedAsOpenSslDoes() throws ConfigException {
        ServerConfig config = parseLines(
                "ssl.engine = \"enable\"",
                "ssl.pemfile = \"/site.pem\"",
                "ssl.openssl.ssl-conf-cmd = ( \"MaxProtocol\" => \"TLSv1.2\",",
                "  \"CipherString\" => \"EECDH+AESGCM:ECDHE-RSA-AES128-SHA:!aNULL:!MD5:-AES256:BOGUS@SECLEVEL=2\" )");
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"), config.listeners().get(0).tls().orElseThrow().cipherSuites());
        assertEquals(List.of("TLSv1.2"), config.listeners().get(0).tls().orElseThrow().protocols());
        assertEquals(List.of("test.conf:4:21: ssl.openssl.ssl-conf-cmd \"CipherString\": \"BOGUS@SECLEVEL=2\" is not"
                + " a cipher or keyword gatehouse can map onto the JDK's suites (ignored)"), warnings(config));
    }

    @Test
    void oldProtocolsAreRaisedToTls12WithAWarning() throws ConfigException {
        ServerConfig config = parseLines(
                "ssl.engine = \"enable\"",
                "ssl.pemfile = \"/site.pem\"",
                "ssl.openssl.ssl-conf-cmd = ( \"MinProtocol\" => \"TLSv1\" )");
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), config.listeners().get(0).tls().orElseThrow().protocols());
        assertEquals(List.of("test.conf:3:1: the JDK disables SSLv3, TLS 1.0 and 1.1 (jdk.tls.disabledAlgorithms):"
                + " TLSv1.2 is the lowest protocol served"), warnings(config));
    }

    @Test
    void settingsThatCannotMapAreWarningsWithTheirLocation() throws ConfigException {
        ServerConfig config = parseLines(
                "ssl.engine = \"enable\"",
                "ssl.pemfile = \"/site.pem\"",
                "ssl.dh-file = \"/dh.pem\"",
                "ssl.use-sslv3 = \"enable\"",
                "$HTTP[\"host\"] == \"b.example\" {",
                "  ssl.pemfile = \"/b.pem\"",
                "  ssl.ca-file = \"/ca.pem\"",
                "}",
                "$HTTP[\"url\"] =^ \"/x\" {",
                "  $HTTP[\"host\"] == \"c.example\" {",
                "    ssl.pemfile = \"/c.pem\"",
                "  }",
                "}",
                "$HTTP[\"host\"] == \"d.example\" {",
                "  ssl.privkey = \"/d.key\"",
                "}");
        String notHere = " is only read at the top level and in $SERVER[\"socket\"] == blocks; a $HTTP[\"host\"] block"
                + " there may set ssl.pemfile (with ssl.privkey) for SNI, nothing else (ignored)";
        assertEquals(List.of(
                "test.conf:3:1: 'ssl.dh-file' is a mod_openssl setting that gatehouse does not implement (ignored)",
                "test.conf:4:1: 'ssl.use-sslv3' is not supported: the JDK disables SSL 2 and 3 (ignored)",
                "test.conf:7:3: 'ssl.ca-file'" + notHere,
                "test.conf:11:5: 'ssl.pemfile'" + notHere,
                "test.conf:15:3: 'ssl.privkey'" + notHere), warnings(config));
        assertEquals(List.of(Path.of("/b.pem")), tlsOf(config, "0.0.0.0:80").hostCertificates().stream()
                .map(TlsSettings.HostCertificate::certificateFile).toList());
    }

    /** The certificate files whose host condition {@code name} satisfies, in config order. */
    private static List<String> certificatesFor(TlsSettings tls, String name) {
        return tls.hostCertificates().stream().filter(c -> c.host().test(RequestFacts.serverName(name)))
                .map(c -> c.certificateFile().toString()).toList();
    }

    @Test
    void hostBlocksGiveCertificatesBySni() throws ConfigException {
        ServerConfig config = parseLines(
                "$HTTP[\"host\"] =~ \"(^|\\.)example\\.org$\" {",
                "  ssl.pemfile = \"/org.pem\"",
                "}",
                "$SERVER[\"socket\"] == \":8443\" {",
                "  ssl.engine = \"enable\"",
                "  ssl.pemfile = \"/default.pem\"",
                "  $HTTP[\"host\"] == \"a.example\" {",
                "    ssl.pemfile = \"/a.crt\"",
                "    ssl.privkey = \"/a.key\"",
                "  }",
                "  else $HTTP[\"host\"] =$ \".example\" {",
                "    ssl.pemfile = \"/any.pem\"",
                "  }",
                "  $HTTP[\"host\"] == \"www.example.org\" {",
                "    ssl.pemfile = \"/www.pem\"",
                "  }",
                "}");
        assertEquals(List.of(), warnings(config));
        TlsSettings tls = tlsOf(config, "0.0.0.0:8443");
        assertEquals(Path.of("/default.pem"), tls.certificateFile());
        assertEquals(List.of("/org.pem", "/a.crt", "/any.pem", "/www.pem"), tls.hostCertificates().stream()
                .map(c -> c.certificateFile().toString()).toList(), "top level first, then the socket's, in order");
        assertEquals(Optional.of(Path.of("/a.key")), tls.hostCertificates().get(1).privateKeyFile());
        assertEquals(Optional.empty(), tls.hostCertificates().get(2).privateKeyFile(),
                "the key is in the pemfile unless the same block names one");
        assertEquals(List.of("/a.crt"), certificatesFor(tls, "A.Example."), "an else branch only where its chain's"
                + " earlier ones do not hold; names compared as lighttpd compares hosts");
        assertEquals(List.of("/any.pem"), certificatesFor(tls, "b.example"));
        assertEquals(List.of("/org.pem", "/www.pem"), certificatesFor(tls, "www.example.org"));
        assertEquals(List.of(), certificatesFor(tls, "example.net"));
        assertEquals("test.conf:8:19", tls.hostCertificates().get(1).location().toString());
    }

    @Test
    void h2FeatureFlags() throws ConfigException {
        ServerConfig config = parseLines(
                "server.feature-flags += ( \"server.h2proto\" => \"disable\", \"server.h2c\" => \"enable\" )");
        assertFalse(config.http2());
        assertTrue(config.h2c());
        assertEquals("test.conf:1:47: server.feature-flags \"server.h2proto\" must be \"enable\" or \"disable\", got"
                + " \"maybe\"", error("server.feature-flags += ( \"server.h2proto\" => \"maybe\" )\n"));
    }

    @Test
    void missingOrContradictorySettingsAreErrors() {
        assertEquals("test.conf:1:1: ssl.engine is enabled but ssl.pemfile is not set: name the PEM file with the"
                + " certificate chain (and the key, or set ssl.privkey)", error("ssl.engine = \"enable\"\n"));
        assertEquals("test.conf:3:1: ssl.verifyclient.activate needs ssl.ca-file: name the CA certificates clients"
                + " are verified against", error("ssl.engine = \"enable\"\nssl.pemfile = \"/p\"\n"
                        + "ssl.verifyclient.activate = \"enable\"\n"));
        assertEquals("test.conf:3:47: ssl.openssl.ssl-conf-cmd \"MinProtocol\" \"TLSv9\" is not a protocol,"
                + " expected one of TLSv1.2, TLSv1.3, None", error("ssl.engine = \"enable\"\nssl.pemfile = \"/p\"\n"
                        + "ssl.openssl.ssl-conf-cmd = ( \"MinProtocol\" => \"TLSv9\" )\n"));
        assertTrue(error("ssl.engine = \"enable\"\nssl.pemfile = \"/p\"\nssl.openssl.ssl-conf-cmd = ("
                + " \"MinProtocol\" => \"TLSv1.3\", \"MaxProtocol\" => \"TLSv1.2\" )\n").contains("leaves no protocol"));
        assertTrue(error("$SERVER[\"socket\"] == \"/run/gh.sock\" {\nssl.engine = \"enable\"\nssl.pemfile = \"/p\"\n}\n")
                .contains("TLS on the unix-domain listener /run/gh.sock is not supported"));
    }
}
