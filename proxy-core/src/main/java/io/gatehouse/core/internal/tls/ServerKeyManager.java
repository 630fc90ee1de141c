package io.gatehouse.core.internal.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

import io.gatehouse.conf.Guard;
import io.gatehouse.conf.RequestFacts;
import io.gatehouse.conf.TlsSettings.ClientVerification;

/**
 * The key manager of one listener. It chooses the certificate of a handshake by the host name the
 * client asks for (SNI): the last {@code $HTTP["host"]} certificate whose condition the name
 * satisfies, else the listener's own, as lighttpd's config merge picks the last matching block's
 * {@code ssl.pemfile}; a client that sends no name (an IP address in its URL) gets the listener's.
 * All certificates are entries of the one key store the JDK's key manager reads: this picks the
 * entry, and gives it only when its key suits the signature the handshake wants (else none, as
 * for a listener with one certificate of another key type).
 *
 * <p>While choosing (which every full handshake does) it also writes the listener's client
 * verification policy into the new session. The CGI environment reads the policy from the
 * session, so a connection keeps the settings it was accepted under after a reload changes them,
 * and a resumed session keeps its own.
 *
 * <p>Immutable; thread-safe: it writes only into the handshake's own session.
 */
final class ServerKeyManager extends X509ExtendedKeyManager {

    /** The session value holding the {@link ClientVerification} the session was made under. */
    static final String POLICY = "io.gatehouse.client-verification";

    /** A host certificate's condition and the key store alias of its entry. */
    record HostEntry(Guard host, String alias) {
    }

    private final X509ExtendedKeyManager entries;
    private final String defaultAlias;
    private final List<HostEntry> hosts;
    private final ClientVerification policy;

    ServerKeyManager(X509ExtendedKeyManager entries, String defaultAlias, List<HostEntry> hosts,
            ClientVerification policy) {
        this.entries = entries;
        this.defaultAlias = defaultAlias;
        this.hosts = List.copyOf(hosts);
        this.policy = policy;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
        if (handshake != null) {
            handshake.putValue(POLICY, policy);
        }
        String alias = aliasFor(requestedHost(handshake));
        String[] suitable = entries.getServerAliases(keyType, issuers);
        return suitable != null && Arrays.asList(suitable).contains(alias) ? alias : null;
    }

    /** The alias of the certificate served to a client asking for {@code host} (null: none asked for). */
    private String aliasFor(String host) {
        if (host == null) {
            return defaultAlias;
        }
        RequestFacts facts = RequestFacts.serverName(host);
        String chosen = defaultAlias;
        for (HostEntry entry : hosts) {
            if (entry.host().test(facts)) {
                chosen = entry.alias();
            }
        }
        return chosen;
    }

    private static String requestedHost(SSLSession handshake) {
        if (!(handshake instanceof ExtendedSSLSession extended)) {
            return null;
        }
        for (SNIServerName name : extended.getRequestedServerNames()) {
            if (name.getType() == StandardConstants.SNI_HOST_NAME && name instanceof SNIHostName hostName) {
                return hostName.getAsciiName().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return chooseEngineServerAlias(keyType, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return entries.getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return entries.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return entries.getPrivateKey(alias);
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
}
