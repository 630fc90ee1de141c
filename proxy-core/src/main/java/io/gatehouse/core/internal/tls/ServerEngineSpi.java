package io.gatehouse.core.internal.tls;

import java.security.KeyManagementException;
import java.security.SecureRandom;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The part of an {@link SSLContextSpi} that the server's contexts share: they are built whole
 * and hand out server engines only, so initialising them again, sockets and client sessions are
 * refused.
 *
 * <p>Stateless; thread-safe.
 */
abstract class ServerEngineSpi extends SSLContextSpi {

    @Override
    protected final void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
            throws KeyManagementException {
        throw new KeyManagementException("already initialised");
    }

    @Override
    protected final SSLSocketFactory engineGetSocketFactory() {
        throw new UnsupportedOperationException("server engines only");
    }

    @Override
    protected final SSLServerSocketFactory engineGetServerSocketFactory() {
        throw new UnsupportedOperationException("server engines only");
    }

    @Override
    protected final SSLSessionContext engineGetClientSessionContext() {
        throw new UnsupportedOperationException("server engines only");
    }
}
