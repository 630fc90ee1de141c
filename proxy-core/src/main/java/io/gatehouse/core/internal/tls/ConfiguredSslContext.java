package io.gatehouse.core.internal.tls;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;

import io.gatehouse.conf.TlsSettings;

/**
 * An {@link SSLContext} whose engines come configured with one listener's protocols, cipher
 * suites, cipher order and client-certificate request. Undertow creates the engine of each
 * connection from the context alone, so this is where a listener's settings reach every
 * connection, and swapping the context on reload swaps them for new connections only.
 *
 * <p>Thread-safe, as the context it wraps.
 */
final class ConfiguredSslContext extends SSLContext {

    ConfiguredSslContext(SSLContext delegate, TlsSettings settings) {
        super(new Spi(delegate, settings), delegate.getProvider(), delegate.getProtocol());
    }

    private static final class Spi extends ServerEngineSpi {
        private final SSLContext delegate;
        private final List<String> protocols;
        private final List<String> cipherSuites;
        private final TlsSettings settings;

        Spi(SSLContext delegate, TlsSettings settings) {
            this.delegate = delegate;
            this.settings = settings;
            SSLParameters supported = delegate.getSupportedSSLParameters();
            Set<String> protocolsHere = new HashSet<>(Arrays.asList(supported.getProtocols()));
            Set<String> suitesHere = new HashSet<>(Arrays.asList(supported.getCipherSuites()));
            this.protocols = settings.protocols().stream().filter(protocolsHere::contains).toList();
            this.cipherSuites = settings.cipherSuites().stream().filter(suitesHere::contains).toList();
        }

        private SSLEngine configure(SSLEngine engine) {
            engine.setUseClientMode(false);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setProtocols(protocols.toArray(String[]::new));
            parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
            parameters.setUseCipherSuitesOrder(settings.honorCipherOrder());
            if (settings.clientVerification().activate()) {
                if (settings.clientVerification().enforce()) {
                    parameters.setNeedClientAuth(true);
                } else {
                    parameters.setWantClientAuth(true);
                }
            }
            engine.setSSLParameters(parameters);
            return engine;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return configure(delegate.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return configure(delegate.createSSLEngine(host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }
}
