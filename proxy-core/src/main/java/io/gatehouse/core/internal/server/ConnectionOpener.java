package io.gatehouse.core.internal.server;

import io.gatehouse.core.internal.tls.ServerTlsContext;
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
 * <p>Thread-safe: the I/O threads read the current mode; one restart at a time sets it.
 */
final class ConnectionOpener implements ChannelListener<StreamConnection> {

    /** A listener's protocol set: plain when {@code ssl} is null. */
    private record Mode(UndertowXnioSsl ssl, boolean http2) {
    }

    private final Xnio xnio;
    private final ByteBufferPool tlsBuffers;
    private final HttpOpenListener http;
    private final Http2OpenListener http2;
    private final AlpnOpenListener alpn;
    private final HttpHandler plainRoot;
    private final HttpHandler h2cRoot;
    private volatile Mode mode = new Mode(null, false);

    /**
     * @param tlsBuffers buffers for TLS records, which need more room than {@code buffers}' plain reads
     */
    ConnectionOpener(Xnio xnio, ByteBufferPool buffers, ByteBufferPool tlsBuffers, OptionMap options,
            HttpHandler root) {
        this.xnio = xnio;
        this.tlsBuffers = tlsBuffers;
        this.plainRoot = root;
        this.h2cRoot = new Http2UpgradeHandler(root);
        this.http = new HttpOpenListener(buffers, options);
        this.http.setRootHandler(root);
        this.http2 = new Http2OpenListener(buffers, options, "h2");
        this.http2.setRootHandler(root);
        this.alpn = new AlpnOpenListener(buffers, options, http);
        this.alpn.addProtocol(Http2OpenListener.HTTP2, http2, 10);
    }

    /**
     * Sets what new connections get: TLS with {@code tls}'s context (HTTP/2 offered by ALPN when
     * {@code http2}), or plain HTTP when {@code tls} is null (upgradable to HTTP/2 when {@code h2c}).
     */
    void use(ServerTlsContext tls, boolean http2, boolean h2c) {
        http.setRootHandler(tls == null && h2c ? h2cRoot : plainRoot);
        mode = tls == null ? new Mode(null, false)
                : new Mode(new UndertowXnioSsl(xnio, OptionMap.EMPTY, tlsBuffers, tls.sslContext()), http2);
    }

    /** Whether new connections are served over TLS. */
    boolean servesTls() {
        return mode.ssl() != null;
    }

    void setUndertowOptions(OptionMap options) {
        http.setUndertowOptions(options);
        http2.setUndertowOptions(options);
        alpn.setUndertowOptions(options);
    }

    void closeConnections() {
        http.closeConnections();
        http2.closeConnections();
        alpn.closeConnections();
    }

    @Override
    public void handleEvent(StreamConnection connection) {
        Mode current = mode;
        if (current.ssl() == null) {
            http.handleEvent(connection);
            return;
        }
        SslConnection tls = current.ssl().wrapExistingConnection(connection, OptionMap.EMPTY, false);
        if (current.http2()) {
            alpn.handleEvent(tls);
        } else {
            http.handleEvent(tls);
        }
    }
}
