package io.gatehouse.core.internal.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http2.Http2OpenListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Undertow's HTTP/2 listener behind a {@link Http2FrameCounter}: every byte the client sends
 * passes the counter before Undertow's frame parser sees it, and a connection past a limit is
 * closed. ALPN hands HTTP/2 connections to this listener.
 *
 * <p>Thread-safe as the listener it wraps; each connection's counter is used on its I/O thread only.
 */
final class Http2FloodGuard implements DelegateOpenListener {

    private final Http2OpenListener http2;

    Http2FloodGuard(Http2OpenListener http2) {
        this.http2 = http2;
    }

    @Override
    public void handleEvent(StreamConnection connection, PooledByteBuffer alreadyRead) {
        Http2FrameCounter counter = new Http2FrameCounter(false, System.nanoTime());
        if (alreadyRead != null
                && counter.accept(alreadyRead.getBuffer(), System.nanoTime()) != Http2FrameCounter.Verdict.ACCEPTED) {
            alreadyRead.close();
            IoUtils.safeClose(connection);
            return;
        }
        connection.getSourceChannel().setConduit(
                new CountingConduit(connection.getSourceChannel().getConduit(), counter, connection));
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

    /** Shows the counter every byte read, and closes the connection when it says no. */
    private static final class CountingConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
        private final Http2FrameCounter counter;
        private final StreamConnection connection;

        CountingConduit(StreamSourceConduit next, Http2FrameCounter counter, StreamConnection connection) {
            super(next);
            this.counter = counter;
            this.connection = connection;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int start = dst.position();
            int read = next.read(dst);
            if (read > 0) {
                check(dst, start);
            }
            return read;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            int[] starts = new int[length];
            for (int i = 0; i < length; i++) {
                starts[i] = dsts[offset + i].position();
            }
            long read = next.read(dsts, offset, length);
            if (read > 0) {
                for (int i = 0; i < length; i++) {
                    check(dsts[offset + i], starts[i]);
                }
            }
            return read;
        }

        private void check(ByteBuffer buffer, int start) throws IOException {
            ByteBuffer fresh = buffer.duplicate();
            fresh.limit(buffer.position()).position(start);
            Http2FrameCounter.Verdict verdict = counter.accept(fresh, System.nanoTime());
            if (verdict != Http2FrameCounter.Verdict.ACCEPTED) {
                IoUtils.safeClose(connection);
                throw new IOException("HTTP/2 flood: " + verdict.description() + "; connection closed");
            }
        }

        @Override
        public long transferTo(long position, long count, FileChannel target) throws IOException {
            return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            return Conduits.transfer(this, count, throughBuffer, target);
        }
    }
}
