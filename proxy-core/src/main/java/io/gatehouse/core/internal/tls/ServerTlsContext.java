package io.gatehouse.core.internal.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

import io.gatehouse.conf.SourceLocation;
import io.gatehouse.conf.TlsSettings;
import io.gatehouse.conf.TlsSettings.HostCertificate;
import io.gatehouse.core.TlsEngine;

/**
 * One listener's TLS, loaded: its certificate chain and key, and those of its {@code $HTTP["host"]}
 * blocks (SNI), read from the files its {@link TlsSettings} name, checked (each key matches its
 * certificate, each certificate is in its validity period), and the {@link SSLContext}s new
 * connections are served with: the JDK's (JSSE), or BoringSSL's with {@link TlsEngine#OPENSSL}.
 *
 * <p>Immutable; thread-safe. Loading reads the files each time: a reload picks up renewed certificates.
 *
 * @param sslContext   makes the engines of connections without HTTP/2 (no ALPN)
 * @param http2SslContext makes the engines of connections offered HTTP/2 by ALPN ({@link #HTTP2_ALPN});
 *                     for JSSE the same as {@code sslContext}, for BoringSSL (which takes ALPN from
 *                     its context) one whose engines start with ALPN set
 * @param chain        the listener's own certificate chain, leaf first
 * @param certificates every certificate served: the listener's, then the host certificates in config order
 */
public record ServerTlsContext(TlsSettings settings, SSLContext sslContext, SSLContext http2SslContext,
        List<X509Certificate> chain, List<LoadedCertificate> certificates) {

    /** The ALPN protocols Undertow offers when HTTP/2 is on, in its order (HTTP/2 preferred). */
    public static final List<String> HTTP2_ALPN = List.of("h2", "http/1.1");

    /** Below this much validity left, {@code -tt} warns (as certificate monitors commonly do). */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(14);

    /** The PKCS#12 store is in memory only; its password protects nothing. */
    private static final char[] STORE_PASSWORD = "gatehouse".toCharArray();

    /** The key store alias of the listener's own certificate; host certificates are "host-0", "host-1", .... */
    private static final String DEFAULT_ALIAS = "server";

    /** A certificate chain read from {@code file}, named in the config at {@code location}. */
    public record LoadedCertificate(Path file, SourceLocation location, List<X509Certificate> chain) {

        /** The leaf certificate's end of validity. */
        public Instant notAfter() {
            return chain.get(0).getNotAfter().toInstant();
        }
    }

    /** {@link #load(TlsSettings, Instant, TlsEngine)} with JSSE. */
    public static ServerTlsContext load(TlsSettings settings, Instant now) throws TlsFileException {
        return load(settings, now, TlsEngine.JSSE);
    }

    /**
     * Loads the files and builds the context for {@code engine}.
     *
     * @throws TlsFileException naming the file and what is wrong, or the setting that is (also one
     *                          that {@code engine} cannot honour)
     */
    public static ServerTlsContext load(TlsSettings settings, Instant now, TlsEngine engine) throws TlsFileException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            LoadedCertificate own = loadInto(store, DEFAULT_ALIAS, settings.certificateFile(),
                    settings.privateKeyFile(), settings.certificateLocation(), now);
            List<LoadedCertificate> certificates = new ArrayList<>(List.of(own));
            List<ServerKeyManager.HostEntry> hosts = new ArrayList<>();
            for (HostCertificate host : settings.hostCertificates()) {
                String alias = "host-" + hosts.size();
                certificates.add(loadInto(store, alias, host.certificateFile(), host.privateKeyFile(),
                        host.location(), now));
                hosts.add(new ServerKeyManager.HostEntry(host.host(), alias));
            }
            // SunX509 names each entry by its store alias, which ServerKeyManager chooses by.
            KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
            keys.init(store, STORE_PASSWORD);
            X509ExtendedKeyManager jdkKeys = null;
            for (KeyManager manager : keys.getKeyManagers()) {
                if (manager instanceof X509ExtendedKeyManager x509) {
                    jdkKeys = x509;
                }
            }
            if (jdkKeys == null) {
                throw new GeneralSecurityException("the JDK offers no X509ExtendedKeyManager");
            }
            ClientCertificateVerifier verifier = null;
            if (settings.clientVerification().activate()) {
                List<X509Certificate> cas = PemFiles.certificates(settings.caFile().orElseThrow());
                verifier = ClientCertificateVerifier.of(cas, settings.clientVerification());
            }
            ServerKeyManager chooser = new ServerKeyManager(jdkKeys, DEFAULT_ALIAS, hosts, settings.clientVerification());
            if (engine == TlsEngine.OPENSSL) {
                BoringSslContext contexts = BoringSslSettings.contexts(settings, chooser, verifier);
                return new ServerTlsContext(settings, contexts.sslContext(List.of()), contexts.sslContext(HTTP2_ALPN),
                        own.chain(), List.copyOf(certificates));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {chooser}, verifier == null ? null : new TrustManager[] {verifier}, null);
            SSLContext configured = new ConfiguredSslContext(context, settings);
            return new ServerTlsContext(settings, configured, configured, own.chain(), List.copyOf(certificates));
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsFileException(settings.certificateLocation() + ": cannot build the TLS context for "
                    + settings.certificateFile() + ": " + e.getMessage());
        }
    }

    /** Reads one certificate chain and its key, checks them, and stores them under {@code alias}. */
    private static LoadedCertificate loadInto(KeyStore store, String alias, Path certificateFile,
            Optional<Path> privateKeyFile, SourceLocation location, Instant now)
            throws TlsFileException, GeneralSecurityException {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = PemFiles.certificates(certificateFile);
            key = PemFiles.privateKey(privateKeyFile.orElse(certificateFile));
        } catch (TlsFileException e) {
            throw new TlsFileException(location + ": " + e.getMessage());
        }
        LoadedCertificate loaded = new LoadedCertificate(certificateFile, location, List.copyOf(chain));
        checkKeyMatches(key, loaded, privateKeyFile);
        checkValidity(loaded, now);
        store.setKeyEntry(alias, key, STORE_PASSWORD, chain.toArray(X509Certificate[]::new));
        return loaded;
    }

    /** Signs with the key and verifies with the certificate: the one test that holds for every key type. */
    private static void checkKeyMatches(PrivateKey key, LoadedCertificate certificate, Optional<Path> privateKeyFile)
            throws TlsFileException {
        X509Certificate leaf = certificate.chain().get(0);
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> null;
        };
        if (algorithm == null) {
            throw new TlsFileException(certificate.location() + ": the private key of "
                    + certificate.file() + " is a " + key.getAlgorithm() + " key, which TLS servers here do"
                    + " not use (expected RSA, EC or Ed25519)");
        }
        try {
            byte[] probe = "gatehouse key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = signature(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = signature(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's: a mismatch as well
        }
        throw new TlsFileException(certificate.location() + ": the private key in "
                + privateKeyFile.orElse(certificate.file()) + " does not match the certificate"
                + " " + leaf.getSubjectX500Principal().getName() + " in " + certificate.file()
                + " (is the leaf certificate first in the file?)");
    }

    private static Signature signature(String algorithm) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(algorithm);
        if (algorithm.equals("RSASSA-PSS")) {
            signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        return signature;
    }

    private static void checkValidity(LoadedCertificate certificate, Instant now) throws TlsFileException {
        X509Certificate leaf = certificate.chain().get(0);
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new TlsFileException(certificate.location() + ": the certificate in "
                    + certificate.file() + " expired on " + leaf.getNotAfter().toInstant());
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new TlsFileException(certificate.location() + ": the certificate in "
                    + certificate.file() + " is not valid before " + leaf.getNotBefore().toInstant());
        }
    }
}
