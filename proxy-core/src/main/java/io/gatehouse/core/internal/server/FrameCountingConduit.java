package io.gatehouse.core.internal.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import io.gatehouse.core.internal.log.ErrorLog;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Shows a {@link ClientFrameCounter} every byte read from a client connection, and closes the
 * connection when it says no, with a line in the error log: beneath Undertow's framing it cannot
 * send a GOAWAY, so the log is where an operator learns why a client was cut off.
 *
 * <p>Used on the connection's I/O thread only, as its reads are.
 */
final class FrameCountingConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private final ClientFrameCounter counter;
    private final StreamConnection connection;
    private final ErrorLog errorLog;

    private FrameCountingConduit(StreamSourceConduit next, ClientFrameCounter counter, StreamConnection connection,
            ErrorLog errorLog) {
        super(next);
        this.counter = counter;
        this.connection = connection;
        this.errorLog = errorLog;
    }

    /** Puts {@code counter} in front of whatever reads {@code connection} from now on. */
    static void install(StreamConnection connection, ClientFrameCounter counter, ErrorLog errorLog) {
        connection.getSourceChannel().setConduit(
                new FrameCountingConduit(connection.getSourceChannel().getConduit(), counter, connection, errorLog));
    }

    /** Closes {@code connection}, whose client went beyond a budget, and says so in the error log. */
    static void closeFor(Http2FrameCounter.Verdict verdict, StreamConnection connection, ErrorLog errorLog) {
        IoUtils.safeClose(connection);
        errorLog.warn("server", "HTTP/2 client " + connection.getPeerAddress() + ": " + verdict.description()
                + "; connection closed");
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
            closeFor(verdict, connection, errorLog);
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
