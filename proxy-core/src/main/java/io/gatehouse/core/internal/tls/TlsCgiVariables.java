package io.gatehouse.core.internal.tls;

import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.gatehouse.conf.TlsSettings.ClientVerification;
import io.gatehouse.conf.internal.CipherSuiteTable;

/**
 * The CGI variables lighttpd's {@code mod_openssl} adds for a request over TLS:
 * {@code SSL_PROTOCOL}, {@code SSL_CIPHER} (OpenSSL's name of the suite), the key sizes, and with
 * {@code ssl.verifyclient.activate} the client's: {@code SSL_CLIENT_VERIFY} ({@code SUCCESS},
 * {@code NONE}, {@code FAILED:reason}), {@code SSL_CLIENT_S_DN} and one
 * {@code SSL_CLIENT_S_DN_<attribute>} per subject attribute, {@code SSL_CLIENT_M_SERIAL} (hex),
 * {@code REMOTE_USER}/{@code AUTH_TYPE} from {@code ssl.verifyclient.username}, and
 * {@code SSL_CLIENT_CERT} with {@code ssl.verifyclient.exportcert}.
 *
 * <p>Stateless; thread-safe.
 */
public final class TlsCgiVariables {

    private TlsCgiVariables() {
    }

    /** The variables for a request on {@code session}, in lighttpd's order. */
    public static Map<String, String> of(SSLSession session) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SSL_PROTOCOL", session.getProtocol());
        String suite = session.getCipherSuite();
        env.put("SSL_CIPHER", CipherSuiteTable.openSslName(suite));
        int bits = keyBits(suite);
        if (bits > 0) {
            env.put("SSL_CIPHER_USEKEYSIZE", Integer.toString(bits));
            env.put("SSL_CIPHER_ALGKEYSIZE", Integer.toString(bits));
        }
        if (session.getValue(ServerKeyManager.POLICY) instanceof ClientVerification policy
                && policy.activate()) {
            client(session, policy, env);
        }
        return env;
    }

    private static void client(SSLSession session, ClientVerification policy, Map<String, String> env) {
        Object failure = session.getValue(ClientCertificateVerifier.FAILURE);
        if (failure != null) {
            env.put("SSL_CLIENT_VERIFY", "FAILED:" + failure);
            return;
        }
        X509Certificate leaf;
        try {
            Certificate[] peer = session.getPeerCertificates();
            if (peer.length == 0 || !(peer[0] instanceof X509Certificate x509)) {
                env.put("SSL_CLIENT_VERIFY", "NONE");
                return;
            }
            leaf = x509;
        } catch (SSLPeerUnverifiedException e) {
            env.put("SSL_CLIENT_VERIFY", "NONE");
            return;
        }
        env.put("SSL_CLIENT_VERIFY", "SUCCESS");
        DistinguishedName subject = DistinguishedName.of(leaf.getSubjectX500Principal());
        env.put("SSL_CLIENT_S_DN", subject.oneLine());
        subject.attributes().forEach((name, value) -> env.put("SSL_CLIENT_S_DN_" + name, value));
        env.put("SSL_CLIENT_M_SERIAL", serialHex(leaf));
        policy.username().map(env::get).ifPresent(user -> {
            env.put("REMOTE_USER", user);
            env.put("AUTH_TYPE", "SSL_CLIENT_VERIFY");
        });
        if (policy.exportCert()) {
            env.put("SSL_CLIENT_CERT", pem(leaf));
        }
    }

    /** Hex in whole bytes, upper case, as OpenSSL's {@code BN_bn2hex} (and {@code openssl x509 -serial}) print it. */
    private static String serialHex(X509Certificate certificate) {
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    private static String pem(X509Certificate certificate) {
        try {
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            return "";
        }
    }

    /** The symmetric key size of a suite, from its JSSE name; 0 when the name does not say. */
    static int keyBits(String suite) {
        if (suite.contains("CHACHA20")) {
            return 256;
        }
        if (suite.contains("AES_256")) {
            return 256;
        }
        if (suite.contains("AES_128")) {
            return 128;
        }
        return 0;
    }
}
