package io.gatehouse.core.internal.tls;

import java.lang.ref.Cleaner;
import java.security.Provider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;

/**
 * The BoringSSL contexts of one listener's TLS, and the {@link SSLContext}s Undertow makes its
 * engines ({@link NativeEngine}) from. BoringSSL reads the ALPN protocols from the context, not
 * the engine, so there is one netty context per ALPN list, made when an engine first needs it;
 * each carries the same certificates, protocols, cipher suites and client verification.
 *
 * <p>The netty contexts hold native memory until released. This object holds one reference to
 * each and gives it up once it is unreachable: after a reload dropped it and every engine made
 * from it (each holds this object and its own reference) has closed, so connections accepted
 * before a reload keep their context.
 *
 * <p>Thread-safe: engines are made on every I/O thread.
 */
final class BoringSslContext {

    private static final Cleaner RELEASER = Cleaner.create();

    /** The {@link SSLContext} provider, which Undertow never looks at. */
    private static final Provider PROVIDER = new Provider("gatehouse-boringssl", "1",
            "BoringSSL through netty-tcnative") {
        private static final long serialVersionUID = 1L;
    };

    /** Makes the netty context of one ALPN list (empty: no ALPN). */
    @FunctionalInterface
    interface ContextMaker {
        SslContext make(List<String> alpn) throws SSLException;
    }

    private final ContextMaker maker;
    private final Map<List<String>, SslContext> byAlpn;
    private final boolean resumable;

    private BoringSslContext(ContextMaker maker, Map<List<String>, SslContext> byAlpn, boolean resumable) {
        this.maker = maker;
        this.byAlpn = byAlpn;
        this.resumable = resumable;
    }

    /**
     * Makes the contexts without ALPN and with {@code alpn}, so that settings BoringSSL refuses
     * fail here, at load.
     *
     * @param resumable false for a listener that verifies client certificates: a resumed session
     *                  skips the verifier, and with it the verdict the CGI environment reads (JSSE
     *                  keeps it in the session object it resumes; netty makes a new one holding only
     *                  the certificate), so a certificate that failed verification would come back
     *                  as SUCCESS. Such contexts keep no session cache and their engines neither
     *                  issue nor accept tickets: every connection pays a full handshake.
     * @throws SSLException when BoringSSL refuses the settings
     */
    static BoringSslContext create(ContextMaker maker, List<String> alpn, boolean resumable) throws SSLException {
        Map<List<String>, SslContext> byAlpn = new ConcurrentHashMap<>();
        byAlpn.put(List.of(), made(maker, List.of(), resumable));
        if (!alpn.isEmpty()) {
            byAlpn.put(List.copyOf(alpn), made(maker, alpn, resumable));
        }
        BoringSslContext contexts = new BoringSslContext(maker, byAlpn, resumable);
        // The action holds the map only: one that reached this object would keep it reachable.
        RELEASER.register(contexts, () -> byAlpn.values().forEach(ReferenceCountUtil::release));
        return contexts;
    }

    /** The context Undertow makes this listener's engines from, ALPN set to {@code alpn} up front. */
    SSLContext sslContext(List<String> alpn) {
        return new EngineSource(new Spi(this, List.copyOf(alpn)));
    }

    /** A new native engine serving with {@code alpn} (empty: without ALPN); its caller releases it. */
    ReferenceCountedOpenSslEngine engine(List<String> alpn, String host, int port) {
        SslContext context = byAlpn.get(alpn);
        if (context == null) {
            context = byAlpn.computeIfAbsent(List.copyOf(alpn), this::make);
        }
        ReferenceCountedOpenSslEngine engine = (ReferenceCountedOpenSslEngine) (host == null
                ? context.newEngine(ByteBufAllocator.DEFAULT) : context.newEngine(ByteBufAllocator.DEFAULT, host, port));
        if (!resumable) {
            // Set on each connection before its handshake: netty offers no context-wide switch.
            // BoringSSL then neither issues tickets nor accepts one (TLS 1.2 and 1.3 alike).
            SSL.setOptions(engine.sslPointer(), SSL.SSL_OP_NO_TICKET);
        }
        return engine;
    }

    private SslContext make(List<String> alpn) {
        try {
            return made(maker, alpn, resumable);
        } catch (SSLException e) {
            // The same settings made the context without ALPN at load: not a config problem.
            throw new IllegalStateException("BoringSSL refused a context with ALPN " + alpn, e);
        }
    }

    private static SslContext made(ContextMaker maker, List<String> alpn, boolean resumable) throws SSLException {
        SslContext context = maker.make(alpn);
        if (!resumable) {
            ((OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
        }
        return context;
    }

    private static final class EngineSource extends SSLContext {
        EngineSource(Spi spi) {
            super(spi, PROVIDER, "TLS");
        }
    }

    private static final class Spi extends ServerEngineSpi {
        private final BoringSslContext contexts;
        private final List<String> alpn;

        Spi(BoringSslContext contexts, List<String> alpn) {
            this.contexts = contexts;
            this.alpn = alpn;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return new NativeEngine(contexts, alpn, null, -1);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return new NativeEngine(contexts, alpn, host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return contexts.byAlpn.get(List.of()).sessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return engineGetSupportedSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            NativeEngine engine = new NativeEngine(contexts, alpn, null, -1);
            SSLParameters parameters = engine.getSSLParameters();
            engine.closeOutbound();
            try {
                engine.closeInbound();
            } catch (SSLException e) {
                // released all the same: closeInbound releases before it throws
            }
            return parameters;
        }
    }
}
