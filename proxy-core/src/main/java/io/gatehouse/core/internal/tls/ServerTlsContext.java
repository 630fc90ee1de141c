package io.gatehouse.core.internal.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

import io.gatehouse.conf.TlsSettings;

/**
 * One listener's TLS, loaded: its certificate chain and key read from the files its
 * {@link TlsSettings} name, checked (the key matches the certificate, the certificate is in its
 * validity period), and the {@link SSLContext} new connections are served with.
 *
 * <p>Immutable; thread-safe. Loading reads the files each time: a reload picks up renewed certificates.
 */
public record ServerTlsContext(TlsSettings settings, SSLContext sslContext, List<X509Certificate> chain) {

    /** Below this much validity left, {@code -tt} warns (as certificate monitors commonly do). */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(14);

    /** The PKCS#12 store is in memory only; its password protects nothing. */
    private static final char[] STORE_PASSWORD = "gatehouse".toCharArray();

    /**
     * Loads the files and builds the context.
     *
     * @throws TlsFileException naming the file and what is wrong, or the setting that is
     */
    public static ServerTlsContext load(TlsSettings settings, Instant now) throws TlsFileException {
        List<X509Certificate> chain = PemFiles.certificates(settings.certificateFile());
        PrivateKey key = PemFiles.privateKey(settings.privateKeyFile().orElse(settings.certificateFile()));
        X509Certificate leaf = chain.get(0);
        checkKeyMatches(key, leaf, settings);
        checkValidity(leaf, settings, now);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, STORE_PASSWORD, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
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
            TrustManager[] trust = null;
            if (settings.clientVerification().activate()) {
                List<X509Certificate> cas = PemFiles.certificates(settings.caFile().orElseThrow());
                trust = new TrustManager[] {ClientCertificateVerifier.of(cas, settings.clientVerification())};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new PolicyStampingKeyManager(jdkKeys, settings.clientVerification())},
                    trust, null);
            return new ServerTlsContext(settings, new ConfiguredSslContext(context, settings), List.copyOf(chain));
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsFileException(settings.certificateLocation() + ": cannot build the TLS context for "
                    + settings.certificateFile() + ": " + e.getMessage());
        }
    }

    /** The leaf certificate's end of validity. */
    public Instant notAfter() {
        return chain.get(0).getNotAfter().toInstant();
    }

    /** Signs with the key and verifies with the certificate: the one test that holds for every key type. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate leaf, TlsSettings settings)
            throws TlsFileException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> null;
        };
        if (algorithm == null) {
            throw new TlsFileException(settings.certificateLocation() + ": the private key of "
                    + settings.certificateFile() + " is a " + key.getAlgorithm() + " key, which TLS servers here do"
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
        throw new TlsFileException(settings.certificateLocation() + ": the private key in "
                + settings.privateKeyFile().orElse(settings.certificateFile()) + " does not match the certificate"
                + " " + leaf.getSubjectX500Principal().getName() + " in " + settings.certificateFile()
                + " (is the leaf certificate first in the file?)");
    }

    private static Signature signature(String algorithm) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(algorithm);
        if (algorithm.equals("RSASSA-PSS")) {
            signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        return signature;
    }

    private static void checkValidity(X509Certificate leaf, TlsSettings settings, Instant now)
            throws TlsFileException {
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new TlsFileException(settings.certificateLocation() + ": the certificate in "
                    + settings.certificateFile() + " expired on " + leaf.getNotAfter().toInstant());
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new TlsFileException(settings.certificateLocation() + ": the certificate in "
                    + settings.certificateFile() + " is not valid before " + leaf.getNotBefore().toInstant());
        }
    }
}
