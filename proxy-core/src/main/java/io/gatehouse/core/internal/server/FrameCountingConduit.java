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
 * <p>It also keeps Undertow from seeing half a header block: Undertow takes a stream's HEADERS
 * frame as the whole request when its read ends there, before the CONTINUATION frames that finish
 * its block have come, and resets the stream (no {@code :path} yet). A read that ends just after a
 * frame of an unfinished block keeps its last byte back, so that Undertow sees the frame as
 * incomplete and waits; the byte goes first in the next read that brings more.
 *
 * <p>Used on the connection's I/O thread only, as its reads are.
 */
final class FrameCountingConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private final ClientFrameCounter counter;
    private final StreamConnection connection;
    private final ErrorLog errorLog;
    /** The byte kept back from Undertow, 0-255, or -1. */
    private int held = -1;

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
        if (!dst.hasRemaining()) {
            return 0;
        }
        int start = dst.position();
        int fresh = start;
        if (held >= 0) {
            dst.put((byte) held);
            fresh++; // counted when it was first read
        }
        int read = next.read(dst);
        if (read <= 0) {
            dst.position(start); // a held byte waits for bytes to follow it, or goes with the stream's end
            if (read < 0) {
                held = -1;
            }
            return read;
        }
        held = -1;
        check(dst, fresh);
        if (counter.endsInsideHeaderBlock()) {
            held = dst.get(dst.position() - 1) & 0xff;
            dst.position(dst.position() - 1);
        }
        return dst.position() - start;
    }

    /** Into the first buffer with room: a scatter read may take fewer bytes than there is room for. */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
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
