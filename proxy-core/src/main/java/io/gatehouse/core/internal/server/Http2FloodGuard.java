package io.gatehouse.core.internal.server;

import io.gatehouse.core.internal.log.ErrorLog;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http2.Http2OpenListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;

/**
 * Undertow's HTTP/2 listener behind a {@link Http2FrameCounter}: every byte the client sends
 * passes the counter before Undertow's frame parser sees it, and a connection past a limit is
 * closed. ALPN hands HTTP/2 connections to this listener.
 *
 * <p>Thread-safe as the listener it wraps; each connection's counter is used on its I/O thread only.
 */
final class Http2FloodGuard implements DelegateOpenListener {

    private final Http2OpenListener http2;
    private final Http2RequestBudget budget;
    private final ErrorLog errorLog;

    /**
     * @param budget   told of the streams the client resets
     * @param errorLog told of the connections closed for a flood
     */
    Http2FloodGuard(Http2OpenListener http2, Http2RequestBudget budget, ErrorLog errorLog) {
        this.http2 = http2;
        this.budget = budget;
        this.errorLog = errorLog;
    }

    @Override
    public void handleEvent(StreamConnection connection, PooledByteBuffer alreadyRead) {
        Http2FrameCounter counter = new Http2FrameCounter(false, System.nanoTime(),
                streamId -> budget.streamReset(connection, streamId));
        Http2FrameCounter.Verdict verdict = alreadyRead == null ? Http2FrameCounter.Verdict.ACCEPTED
                : counter.accept(alreadyRead.getBuffer(), System.nanoTime());
        if (verdict != Http2FrameCounter.Verdict.ACCEPTED) {
            alreadyRead.close();
            FrameCountingConduit.closeFor(verdict, connection, errorLog);
            return;
        }
        FrameCountingConduit.install(connection, counter, errorLog);
        http2.handleEvent(connection, alreadyRead);
    }

    @Override
    public void handleEvent(StreamConnection connection) {
        handleEvent(connection, null);
    }

    @Override
    public HttpHandler getRootHandler() {
        return http2.getRootHandler();
    }

    @Override
    public void setRootHandler(HttpHandler rootHandler) {
        http2.setRootHandler(rootHandler);
    }

    @Override
    public OptionMap getUndertowOptions() {
        return http2.getUndertowOptions();
    }

    @Override
    public void setUndertowOptions(OptionMap options) {
        http2.setUndertowOptions(options);
    }

    @Override
    public ByteBufferPool getBufferPool() {
        return http2.getBufferPool();
    }

    @Override
    public ConnectorStatistics getConnectorStatistics() {
        return http2.getConnectorStatistics();
    }

    @Override
    public void closeConnections() {
        http2.closeConnections();
    }
}
