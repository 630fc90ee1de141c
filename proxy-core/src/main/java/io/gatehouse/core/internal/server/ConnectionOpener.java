package io.gatehouse.core.internal.server;

import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.tls.ServerTlsContext;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.http2.Http2UpgradeHandler;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.ssl.SslConnection;

/**
 * Opens each connection a listener accepts as plain HTTP, or as TLS with HTTP/1.1 or HTTP/2 by
 * ALPN. The choice and the TLS context are read per connection, so a reload that changes a
 * listener's certificate, TLS settings or HTTP/2 flag applies to the connections accepted after
 * it, while the open ones keep what they negotiated: the listening socket is never closed for it.
 *
 * <p>Thread-safe: the I/O threads read the current mode; setting it is synchronized.
 */
final class ConnectionOpener implements ChannelListener<StreamConnection> {

    /** A listener's protocol set: plain when {@code ssl} is null, then HTTP/2 only when {@code h2c}. */
    private record Mode(UndertowXnioSsl ssl, boolean http2, boolean h2c) {
    }

    private final Xnio xnio;
    private final ByteBufferPool tlsBuffers;
    /** Plain connections: HTTP/1.1, and HTTP/2 by upgrade or prior knowledge only with h2c. */
    private final HttpOpenListener plain;
    /** TLS connections that speak HTTP/1.1: ALPN chose it, or HTTP/2 is off. */
    private final HttpOpenListener tlsHttp1;
    private final Http2OpenListener http2;
    private final AlpnOpenListener alpn;
    private final HttpHandler plainRoot;
    private final HttpHandler h2cRoot;
    private final Http2RequestBudget http2Budget;
    private final ErrorLog errorLog;
    private volatile Mode mode = new Mode(null, false, false);
    private OptionMap options;
    private boolean h2c;

    /**
     * @param tlsBuffers buffers for TLS records, which need more room than {@code buffers}' plain reads
     * @param http2Budget told of the HTTP/2 streams clients reset
     * @param errorLog told of the connections closed for a flood of HTTP/2 frames
     */
    ConnectionOpener(Xnio xnio, ByteBufferPool buffers, ByteBufferPool tlsBuffers, OptionMap options,
            HttpHandler root, Http2RequestBudget http2Budget, ErrorLog errorLog) {
        this.xnio = xnio;
        this.tlsBuffers = tlsBuffers;
        this.plainRoot = root;
        this.h2cRoot = new Http2UpgradeHandler(root);
        this.http2Budget = http2Budget;
        this.errorLog = errorLog;
        this.options = options;
        this.plain = new HttpOpenListener(buffers, options);
        this.plain.setRootHandler(root);
        this.tlsHttp1 = new HttpOpenListener(buffers, options);
        this.http2 = new Http2OpenListener(buffers, options, "h2");
        this.alpn = new AlpnOpenListener(buffers, options, tlsHttp1);
        this.alpn.addProtocol(Http2OpenListener.HTTP2, new Http2FloodGuard(http2, http2Budget, errorLog), 10);
        // Through the ALPN listener, which hands its own root to its protocols whenever its options
        // change: set anywhere else, a reload's new options would leave them without one.
        this.alpn.setRootHandler(root);
        applyOptions();
    }

    /**
     * Sets what new connections get: TLS with {@code tls}'s context (HTTP/2 offered by ALPN when
     * {@code http2}), or plain HTTP when {@code tls} is null (upgradable to HTTP/2 when {@code h2c}).
     */
    synchronized void use(ServerTlsContext tls, boolean http2, boolean h2c) {
        this.h2c = h2c;
        plain.setRootHandler(h2c ? h2cRoot : plainRoot);
        applyOptions();
        mode = tls == null ? new Mode(null, false, h2c)
                : new Mode(new UndertowXnioSsl(xnio, OptionMap.EMPTY, tlsBuffers,
                        http2 ? tls.http2SslContext() : tls.sslContext()), http2, false);
    }

    /** Whether new connections are served over TLS. */
    boolean servesTls() {
        return mode.ssl() != null;
    }

    synchronized void setUndertowOptions(OptionMap options) {
        this.options = options;
        applyOptions();
    }

    /**
     * Undertow's HTTP/1.1 listener takes a connection that starts with HTTP/2's preface as HTTP/2
     * whenever ENABLE_HTTP2 is set: only the h2c setting may set it there.
     */
    private void applyOptions() {
        plain.setUndertowOptions(with(options, h2c));
        tlsHttp1.setUndertowOptions(with(options, false));
        http2.setUndertowOptions(with(options, true));
        alpn.setUndertowOptions(with(options, true));
    }

    private static OptionMap with(OptionMap options, boolean http2) {
        return OptionMap.builder().addAll(options).set(UndertowOptions.ENABLE_HTTP2, http2).getMap();
    }

    void closeConnections() {
        plain.closeConnections();
        tlsHttp1.closeConnections();
        http2.closeConnections();
        alpn.closeConnections();
    }

    @Override
    public void handleEvent(StreamConnection connection) {
        Mode current = mode;
        LazyReadSuspension.install(connection);
        if (current.ssl() == null) {
            if (current.h2c()) {
                // Prior knowledge or Upgrade: h2c turn it into HTTP/2 inside Undertow's HTTP/1.1
                // listener, past any open listener of ours: the frames are counted from the start.
                FrameCountingConduit.install(connection,
                        new H2cFrameCounter(streamId -> http2Budget.streamReset(connection, streamId)), errorLog);
            }
            plain.handleEvent(connection);
            return;
        }
        SslConnection tls = current.ssl().wrapExistingConnection(connection, OptionMap.EMPTY, false);
        if (current.http2()) {
            alpn.handleEvent(tls);
        } else {
            tlsHttp1.handleEvent(tls);
        }
    }
}
