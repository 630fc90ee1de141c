package io.gatehouse.core.internal.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the PEM files lighttpd's {@code ssl.pemfile}, {@code ssl.privkey} and {@code ssl.ca-file}
 * name: certificates, and a private key as PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}). Parsing is Bouncy
 * Castle's; the keys come out as the JDK's own key objects.
 *
 * <p>An encrypted key is refused with the fix: lighttpd reads its keys unattended, with no
 * passphrase, and so does gatehouse. Stateless; thread-safe.
 */
public final class PemFiles {

    /** Larger than any chain or CA bundle in use (Debian's whole bundle is about 220 KB). */
    static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private PemFiles() {
    }

    /** The certificates in {@code file}, in file order; fails if there is none. */
    public static List<X509Certificate> certificates(Path file) throws TlsFileException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : objects(file)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsFileException(file, "holds a certificate the JDK cannot read: " + e.getMessage());
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsFileException(file, "holds no certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    /** The private key in {@code file}; fails if there is none or more than one. */
    public static PrivateKey privateKey(Path file) throws TlsFileException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey key = null;
        for (Object object : objects(file)) {
            PrivateKey found;
            try {
                if (object instanceof PrivateKeyInfo info) {
                    found = converter.getPrivateKey(info);
                } else if (object instanceof PEMKeyPair pair) {
                    found = converter.getKeyPair(pair).getPrivate();
                } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    throw new TlsFileException(file, "holds an encrypted private key, which cannot be read"
                            + " unattended: decrypt it with `openssl pkey -in KEY -out PLAIN` and keep PLAIN"
                            + " readable by gatehouse only");
                } else {
                    continue;
                }
            } catch (IOException e) {
                throw new TlsFileException(file, "holds a private key the JDK cannot read: " + e.getMessage());
            }
            if (key != null) {
                throw new TlsFileException(file, "holds more than one private key");
            }
            key = found;
        }
        if (key == null) {
            throw new TlsFileException(file, "holds no private key (expected -----BEGIN PRIVATE KEY-----,"
                    + " RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        return key;
    }

    /** Whether {@code file} has a private key block in it (lighttpd: the key may sit in the pemfile). */
    public static boolean hasPrivateKey(Path file) throws TlsFileException {
        for (Object object : objects(file)) {
            if (object instanceof PrivateKeyInfo || object instanceof PEMKeyPair
                    || object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                return true;
            }
        }
        return false;
    }

    private static List<Object> objects(Path file) throws TlsFileException {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TlsFileException(file, "is larger than " + MAX_FILE_BYTES + " bytes: not a PEM file");
            }
            List<Object> objects = new ArrayList<>();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                    PEMParser parser = new PEMParser(reader)) {
                for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                    objects.add(object);
                }
            }
            return objects;
        } catch (TlsFileException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file, "does not exist");
        } catch (AccessDeniedException e) {
            throw new TlsFileException(file, "is not readable by gatehouse (permission denied)");
        } catch (IOException | RuntimeException e) {
            // Bouncy Castle reports malformed base64 and ASN.1 as unchecked exceptions, too.
            throw new TlsFileException(file, "cannot be read as PEM: " + e.getMessage());
        }
    }
}
