package io.gatehouse.core.internal.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

import io.gatehouse.conf.TlsSettings.ClientVerification;

/**
 * The key manager of one listener's certificate that also writes the listener's client
 * verification policy into each new session while choosing the certificate (which every full
 * handshake does). The CGI environment reads the policy from the session, so a connection keeps
 * the settings it was accepted under after a reload changes them, and a resumed session keeps its
 * own.
 *
 * <p>Thread-safe: it delegates to the JDK's key manager and writes only into the handshake's own session.
 */
final class PolicyStampingKeyManager extends X509ExtendedKeyManager {

    /** The session value holding the {@link ClientVerification} the session was made under. */
    static final String POLICY = "io.gatehouse.client-verification";

    private final X509ExtendedKeyManager delegate;
    private final ClientVerification policy;

    PolicyStampingKeyManager(X509ExtendedKeyManager delegate, ClientVerification policy) {
        this.delegate = delegate;
        this.policy = policy;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
        if (handshake != null) {
            handshake.putValue(POLICY, policy);
        }
        return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return delegate.getPrivateKey(alias);
    }
}
