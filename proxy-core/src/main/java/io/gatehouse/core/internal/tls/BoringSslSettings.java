package io.gatehouse.core.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.gatehouse.conf.TlsSettings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * One listener's {@link TlsSettings} as BoringSSL contexts: the same protocols and cipher suites
 * JSSE would enable, the certificate chosen by the same key manager (SNI), client certificates
 * verified by the same trust manager. What BoringSSL cannot do as JSSE would is refused, naming
 * where the listener's TLS is configured, rather than served differently.
 *
 * <p>Stateless; thread-safe.
 */
final class BoringSslSettings {

    /**
     * TLS 1.3's suites: BoringSSL enables all three, always, and none can be turned off. netty
     * turns TLS 1.3 off when none is named, and logs when they are named in another order than this.
     */
    static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    private BoringSslSettings() {
    }

    /**
     * Whether BoringSSL loads here.
     *
     * @throws TlsFileException saying why not, and what to do
     */
    static void requireAvailable() throws TlsFileException {
        if (!OpenSsl.isAvailable()) {
            Throwable cause = OpenSsl.unavailabilityCause();
            throw new TlsFileException("tls-engine = openssl, but BoringSSL (netty-tcnative, bundled for"
                    + " linux-x86_64 only) cannot be loaded on " + System.getProperty("os.name").toLowerCase(Locale.ROOT)
                    + "-" + System.getProperty("os.arch") + ": " + (cause == null ? "unknown reason" : cause)
                    + "; use tls-engine = jsse (the default)");
        }
    }

    /**
     * The contexts of {@code settings}: the one without ALPN and the one offering HTTP/2 made now.
     *
     * @param verifier the client certificate verifier, null without {@code ssl.verifyclient.activate}
     * @throws TlsFileException for a setting BoringSSL cannot honour, or one it refuses
     */
    static BoringSslContext contexts(TlsSettings settings, X509ExtendedKeyManager keys,
            X509ExtendedTrustManager verifier) throws TlsFileException {
        requireAvailable();
        SSLParameters jsse = jsseParameters();
        List<String> protocols = protocols(settings, jsse);
        List<String> suites = cipherSuites(settings, jsse, protocols);
        KeyManagerFactory keyFactory = new OpenSslCachingX509KeyManagerFactory(new SingleKeyManagerFactory(keys));
        BoringSslContext.ContextMaker maker = alpn -> {
            SslContextBuilder builder = SslContextBuilder.forServer(keyFactory)
                    .sslProvider(SslProvider.OPENSSL_REFCNT)
                    .protocols(protocols)
                    .ciphers(suites, IdentityCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(alpn.isEmpty() ? ApplicationProtocolConfig.DISABLED
                            : new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
            if (verifier != null) {
                builder.trustManager(verifier).clientAuth(
                        settings.clientVerification().enforce() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            return builder.build();
        };
        try {
            // A verifying listener resumes no session (BoringSslContext#create says why).
            return BoringSslContext.create(maker, ServerTlsContext.HTTP2_ALPN, verifier == null);
        } catch (SSLException | RuntimeException e) {
            throw new TlsFileException(settings.location() + ": tls-engine = openssl: BoringSSL refuses this"
                    + " listener's TLS settings: " + e.getMessage());
        }
    }

    /** What JSSE would enable: the JDK's disabled algorithms apply to gatehouse's TLS whichever the engine. */
    private static SSLParameters jsseParameters() throws TlsFileException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            SSLParameters parameters = context.getDefaultSSLParameters();
            parameters.setCipherSuites(context.getSupportedSSLParameters().getCipherSuites());
            return parameters;
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("the JDK's TLS is not usable: " + e.getMessage());
        }
    }

    private static List<String> protocols(TlsSettings settings, SSLParameters jsse) throws TlsFileException {
        Set<String> enabledByJdk = new HashSet<>(Arrays.asList(jsse.getProtocols()));
        Set<String> native_ = new HashSet<>(Arrays.asList(SslProvider.isTlsv13Supported(SslProvider.OPENSSL_REFCNT)
                ? new String[] {"TLSv1.2", "TLSv1.3"} : new String[] {"TLSv1.2"}));
        List<String> protocols = new ArrayList<>();
        for (String protocol : settings.protocols()) {
            if (!enabledByJdk.contains(protocol)) {
                continue;
            }
            if (!native_.contains(protocol)) {
                throw new TlsFileException(settings.location() + ": tls-engine = openssl cannot serve " + protocol
                        + " (ssl.openssl.ssl-conf-cmd MinProtocol/MaxProtocol): this BoringSSL offers "
                        + native_ + "; use tls-engine = jsse");
            }
            protocols.add(protocol);
        }
        if (protocols.isEmpty()) {
            throw new TlsFileException(settings.location() + ": no TLS protocol of " + settings.protocols()
                    + " is enabled in this JDK");
        }
        return protocols;
    }

    /** The TLS 1.2 suites to configure, after checking that BoringSSL serves every suite as JSSE would. */
    private static List<String> cipherSuites(TlsSettings settings, SSLParameters jsse, List<String> protocols)
            throws TlsFileException {
        Set<String> jsseSuites = new HashSet<>(Arrays.asList(jsse.getCipherSuites()));
        Set<String> nativeSuites = OpenSsl.availableJavaCipherSuites();
        List<String> suites = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Set<String> tls13 = new HashSet<>();
        boolean tls12 = false;
        for (String suite : settings.cipherSuites()) {
            if (!jsseSuites.contains(suite)) {
                continue;
            }
            if (TLS13_SUITES.contains(suite)) {
                tls13.add(suite); // checked below, passed on in BoringSSL's order
            } else if (nativeSuites.contains(suite)) {
                suites.add(suite);
                tls12 = true;
            } else {
                missing.add(suite);
            }
        }
        if (!missing.isEmpty()) {
            throw new TlsFileException(settings.location() + ": tls-engine = openssl cannot honour the cipher"
                    + " suites of this listener (ssl.cipher-list, ssl.openssl.ssl-conf-cmd CipherString): BoringSSL"
                    + " has no " + String.join(", ", missing) + "; leave them out, or use tls-engine = jsse");
        }
        if (protocols.contains("TLSv1.3") && !tls13.equals(Set.copyOf(TLS13_SUITES))) {
            throw new TlsFileException(settings.location() + ": tls-engine = openssl cannot honour the TLS 1.3"
                    + " cipher suites of this listener (ssl.openssl.ssl-conf-cmd Ciphersuites): BoringSSL always"
                    + " offers all of " + TLS13_SUITES + "; configure all three, set MaxProtocol TLSv1.2, or use"
                    + " tls-engine = jsse");
        }
        if (!tls12 && protocols.contains("TLSv1.2")) {
            // JSSE then serves TLS 1.3 only; BoringSSL refuses an empty TLS 1.2 list instead.
            protocols.remove("TLSv1.2");
            if (protocols.isEmpty()) {
                throw new TlsFileException(settings.location() + ": no cipher suite of this listener serves"
                        + " TLSv1.2, its only protocol");
            }
        }
        if (protocols.contains("TLSv1.3")) {
            suites.addAll(TLS13_SUITES);
        }
        return suites;
    }

    /** A key manager factory handing out one key manager: the form netty takes a key manager in. */
    private static final class SingleKeyManagerFactory extends KeyManagerFactory {
        SingleKeyManagerFactory(X509ExtendedKeyManager keys) {
            super(new KeyManagerFactorySpi() {
                @Override
                protected void engineInit(KeyStore store, char[] password) {
                    // already holds its keys
                }

                @Override
                protected void engineInit(ManagerFactoryParameters parameters) {
                    // already holds its keys
                }

                @Override
                protected KeyManager[] engineGetKeyManagers() {
                    return new KeyManager[] {keys};
                }
            }, new Provider("gatehouse-keys", "1", "the key manager of one listener") {
                private static final long serialVersionUID = 1L;
            }, "gatehouse");
        }
    }
}
