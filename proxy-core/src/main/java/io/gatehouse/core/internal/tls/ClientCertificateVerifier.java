package io.gatehouse.core.internal.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import io.gatehouse.conf.TlsSettings.ClientVerification;

/**
 * Verifies client certificates against {@code ssl.ca-file} as lighttpd's {@code mod_openssl}
 * does: a chain with more than {@code ssl.verifyclient.depth} CA certificates above the client's
 * fails, and with {@code ssl.verifyclient.enforce = "disable"} a failure lets the handshake
 * finish and is recorded in the session instead, for the backend to see as
 * {@code SSL_CLIENT_VERIFY=FAILED:…}.
 *
 * <p>Thread-safe: the PKIX trust manager it delegates to is, and it keeps no state of its own.
 */
final class ClientCertificateVerifier extends X509ExtendedTrustManager {

    /** The session value holding why the client's certificate failed, when it did and was let through. */
    static final String FAILURE = "io.gatehouse.client-verify-failure";

    private final X509ExtendedTrustManager pkix;
    private final X509Certificate[] issuers;
    private final ClientVerification policy;

    private ClientCertificateVerifier(X509ExtendedTrustManager pkix, List<X509Certificate> cas,
            ClientVerification policy) {
        this.pkix = pkix;
        this.issuers = cas.toArray(X509Certificate[]::new);
        this.policy = policy;
    }

    static ClientCertificateVerifier of(List<X509Certificate> cas, ClientVerification policy)
            throws GeneralSecurityException, IOException {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            anchors.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager pkix) {
                return new ClientCertificateVerifier(pkix, cas, policy);
            }
        }
        throw new GeneralSecurityException("the JDK offers no X509ExtendedTrustManager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            if (chain.length - 1 > policy.depth()) {
                throw new CertificateException("certificate chain too long (" + (chain.length - 1)
                        + " CA certificates, ssl.verifyclient.depth is " + policy.depth() + ")");
            }
            pkix.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            SSLSession handshake = engine.getHandshakeSession();
            if (policy.enforce() || handshake == null) {
                throw e;
            }
            handshake.putValue(FAILURE, describe(e));
        }
    }

    /** The innermost cause's message: PKIX wraps the reason that says something in layers. */
    private static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("gatehouse verifies clients on engines only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("gatehouse verifies clients on engines only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a server context verifies no servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a server context verifies no servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a server context verifies no servers");
    }
}
