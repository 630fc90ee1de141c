package io.gatehouse.core.internal.tls;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;

/**
 * The engine of one connection served by BoringSSL: netty's OpenSSL engine, which holds native
 * memory (the {@code SSL} object and a reference to its context) until released, behind the plain
 * {@link SSLEngine} Undertow drives. It adds two things netty's engine does not do for Undertow:
 *
 * <ul>
 * <li>It releases the native engine once Undertow has closed both directions, which its TLS
 *     conduit does for every connection that ends, cleanly or not. Nothing else would: Undertow
 *     knows nothing of reference counts, and the engines are made without a finalizer so that
 *     thousands of handshakes a second do not load the garbage collector.</li>
 * <li>It honours the ALPN protocols Undertow sets through {@link SSLParameters}. BoringSSL takes
 *     the ALPN list from the engine's context, so until the first handshake byte, a different
 *     list replaces the engine with one from the context of that list
 *     ({@link BoringSslContext#engine}). That happens when a client offers only cipher suites
 *     HTTP/2 forbids and Undertow narrows ALPN to HTTP/1.1, as JSSE would then negotiate.</li>
 * </ul>
 *
 * <p>Not thread-safe, as no engine is: one I/O thread drives each connection.
 */
final class NativeEngine extends SSLEngine {

    private final BoringSslContext contexts;
    private ReferenceCountedOpenSslEngine engine;
    private List<String> alpn;
    /** Whether a handshake byte went through, after which the engine can no longer be replaced. */
    private boolean started;
    private boolean inboundClosed;
    private boolean outboundClosed;
    private boolean released;
    private boolean sessionCreation = true;

    NativeEngine(BoringSslContext contexts, List<String> alpn, String host, int port) {
        super(host, port);
        this.contexts = contexts;
        this.alpn = alpn;
        this.engine = contexts.engine(alpn, host, port);
    }

    @Override
    public void setSSLParameters(SSLParameters parameters) {
        String[] wanted = parameters.getApplicationProtocols();
        List<String> protocols = wanted == null ? List.of() : Arrays.asList(wanted);
        if (!started && !protocols.equals(alpn)) {
            ReferenceCountedOpenSslEngine replacement = contexts.engine(protocols, getPeerHost(), getPeerPort());
            release();
            released = false;
            engine = replacement;
            alpn = List.copyOf(protocols);
        }
        engine.setSSLParameters(parameters);
    }

    @Override
    public SSLParameters getSSLParameters() {
        SSLParameters parameters = engine.getSSLParameters();
        // netty's engine does not report the ALPN list, which lives in its context.
        parameters.setApplicationProtocols(alpn.toArray(String[]::new));
        return parameters;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] sources, int offset, int length, ByteBuffer destination)
            throws SSLException {
        started = true;
        return engine.wrap(sources, offset, length, destination);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer source, ByteBuffer destination) throws SSLException {
        started = true;
        return engine.wrap(source, destination);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] sources, ByteBuffer destination) throws SSLException {
        started = true;
        return engine.wrap(sources, destination);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer source, ByteBuffer[] destinations, int offset, int length)
            throws SSLException {
        started = true;
        return engine.unwrap(source, destinations, offset, length);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer source, ByteBuffer destination) throws SSLException {
        started = true;
        return engine.unwrap(source, destination);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer source, ByteBuffer[] destinations) throws SSLException {
        started = true;
        return engine.unwrap(source, destinations);
    }

    @Override
    public void beginHandshake() throws SSLException {
        started = true;
        engine.beginHandshake();
    }

    @Override
    public void closeInbound() throws SSLException {
        inboundClosed = true;
        try {
            engine.closeInbound();
        } finally {
            releaseWhenClosed();
        }
    }

    @Override
    public void closeOutbound() {
        outboundClosed = true;
        try {
            engine.closeOutbound();
        } finally {
            releaseWhenClosed();
        }
    }

    private void releaseWhenClosed() {
        if (inboundClosed && outboundClosed) {
            release();
        }
    }

    private void release() {
        if (!released) {
            released = true;
            engine.release();
        }
    }

    /** Whether the native engine was released (for tests: every closed connection's must be). */
    boolean isReleased() {
        return released;
    }

    @Override
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    @Override
    public boolean isOutboundDone() {
        return engine.isOutboundDone();
    }

    @Override
    public Runnable getDelegatedTask() {
        return engine.getDelegatedTask();
    }

    @Override
    public SSLSession getSession() {
        return engine.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.getHandshakeSession();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
        return engine.getHandshakeStatus();
    }

    @Override
    public String getApplicationProtocol() {
        return engine.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.getHandshakeApplicationProtocol();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return engine.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return engine.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        engine.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return engine.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return engine.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        engine.setEnabledProtocols(protocols);
    }

    @Override
    public void setUseClientMode(boolean client) {
        engine.setUseClientMode(client);
    }

    @Override
    public boolean getUseClientMode() {
        return engine.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        engine.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return engine.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        engine.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return engine.getWantClientAuth();
    }

    /** netty's engine always creates sessions, and refuses to be told to: only {@code false} reaches it. */
    @Override
    public void setEnableSessionCreation(boolean create) {
        if (!create) {
            engine.setEnableSessionCreation(false);
        }
        sessionCreation = create;
    }

    @Override
    public boolean getEnableSessionCreation() {
        return sessionCreation;
    }
}
