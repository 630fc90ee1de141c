package io.gatehouse.conf;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS settings of one listener, as lighttpd's {@code mod_openssl} reads them from the
 * {@code ssl.*} keys of the top level or of a {@code $SERVER["socket"]} block: certificate and key
 * files, client verification, and the protocols and cipher suites, already translated into their
 * JSSE names.
 *
 * <p>The files are only named here; loading them (and failing to) is the server's job, so a
 * reload re-reads them. Immutable; thread-safe.
 *
 * @param certificateFile {@code ssl.pemfile}: the certificate chain, leaf first, optionally with the key
 * @param privateKeyFile  {@code ssl.privkey}: the key, when it is not in the pemfile
 * @param caFile          {@code ssl.ca-file}: the CAs client certificates are verified against
 * @param clientVerification {@code ssl.verifyclient.*}
 * @param protocols       the enabled protocols, JSSE names, lowest first ({@code TLSv1.2}, {@code TLSv1.3})
 * @param cipherSuites    the enabled cipher suites, JSSE names, in preference order
 * @param honorCipherOrder whether the server's order wins ({@code ssl.honor-cipher-order},
 *                        {@code Options ServerPreference}); lighttpd's default is yes
 * @param location        where TLS was enabled ({@code ssl.engine})
 * @param certificateLocation where {@code ssl.pemfile} was set, for errors about the files
 * @param hostCertificates the certificates of {@code $HTTP["host"]} blocks, chosen by the name the
 *                        client asks for (SNI), in config order: the last that matches wins, as the
 *                        last matching block's {@code ssl.pemfile} does in lighttpd
 */
public record TlsSettings(Path certificateFile, Optional<Path> privateKeyFile, Optional<Path> caFile,
        ClientVerification clientVerification, List<String> protocols, List<String> cipherSuites,
        boolean honorCipherOrder, SourceLocation location, SourceLocation certificateLocation,
        List<HostCertificate> hostCertificates) {

    /** lighttpd's default {@code MinProtocol} (1.4.60+). */
    public static final String DEFAULT_MIN_PROTOCOL = "TLSv1.2";

    /**
     * The suites enabled unless the config names others: TLS 1.3's three and TLS 1.2's ECDHE suites
     * with AEAD ciphers, strongest first. lighttpd leaves the list to OpenSSL's {@code HIGH}; these
     * are the suites of {@code HIGH} that have forward secrecy and authenticated encryption.
     */
    public static final List<String> DEFAULT_CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    public TlsSettings {
        Objects.requireNonNull(certificateFile, "certificateFile");
        Objects.requireNonNull(privateKeyFile, "privateKeyFile");
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(clientVerification, "clientVerification");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(certificateLocation, "certificateLocation");
        hostCertificates = List.copyOf(hostCertificates);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("no TLS protocol is enabled");
        }
        if (cipherSuites.isEmpty()) {
            throw new IllegalArgumentException("no cipher suite is enabled");
        }
        if (clientVerification.activate() && caFile.isEmpty()) {
            throw new IllegalArgumentException("ssl.verifyclient.activate needs ssl.ca-file");
        }
    }

    /** TLS with lighttpd's defaults and the key in {@code certificateFile} or {@code privateKeyFile}. */
    public static TlsSettings of(Path certificateFile, Optional<Path> privateKeyFile) {
        return new TlsSettings(certificateFile, privateKeyFile, Optional.empty(), ClientVerification.NONE,
                List.of(DEFAULT_MIN_PROTOCOL, "TLSv1.3"), DEFAULT_CIPHER_SUITES, true, SourceLocation.API,
                SourceLocation.API, List.of());
    }

    /** These settings with {@code hostCertificates} chosen by SNI before the default certificate. */
    public TlsSettings withHostCertificates(List<HostCertificate> hostCertificates) {
        return new TlsSettings(certificateFile, privateKeyFile, caFile, clientVerification, protocols, cipherSuites,
                honorCipherOrder, location, certificateLocation, hostCertificates);
    }

    /**
     * A certificate served to clients whose SNI name satisfies {@code host}: lighttpd's
     * {@code ssl.pemfile} (and {@code ssl.privkey}) in a {@code $HTTP["host"]} block.
     *
     * @param host     the block's condition, tested with the SNI name as the request's host
     * @param location where the block's {@code ssl.pemfile} was set, for errors about the files
     */
    public record HostCertificate(Guard host, Path certificateFile, Optional<Path> privateKeyFile,
            SourceLocation location) {

        public HostCertificate {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(certificateFile, "certificateFile");
            Objects.requireNonNull(privateKeyFile, "privateKeyFile");
            Objects.requireNonNull(location, "location");
        }
    }

    /**
     * {@code ssl.verifyclient.*}: whether a client certificate is asked for, whether a connection
     * without a valid one is refused, how long its chain may be, and which CGI variable becomes
     * {@code REMOTE_USER}.
     *
     * @param depth      the most CA certificates above the client's ({@code ssl.verifyclient.depth}, default 9)
     * @param username   the CGI variable whose value becomes {@code REMOTE_USER}, e.g. {@code SSL_CLIENT_S_DN_CN}
     * @param exportCert whether the certificate goes to the backend as {@code SSL_CLIENT_CERT}
     */
    public record ClientVerification(boolean activate, boolean enforce, int depth, Optional<String> username,
            boolean exportCert) {

        /** lighttpd's default {@code ssl.verifyclient.depth}. */
        public static final int DEFAULT_DEPTH = 9;

        /** No client certificate asked for. */
        public static final ClientVerification NONE =
                new ClientVerification(false, true, DEFAULT_DEPTH, Optional.empty(), false);

        public ClientVerification {
            Objects.requireNonNull(username, "username");
            if (depth < 0) {
                throw new IllegalArgumentException("ssl.verifyclient.depth must not be negative, got " + depth);
            }
        }
    }
}
