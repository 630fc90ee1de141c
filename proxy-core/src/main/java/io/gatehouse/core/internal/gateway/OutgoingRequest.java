package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

import io.gatehouse.core.internal.protocol.BackendProtocol;

/**
 * One request to a backend as its protocol frames it, written to a non-blocking channel as fast
 * as the channel takes it. A request of up to {@link #WHOLE_LIMIT} bytes of body is framed whole
 * at once and goes out in as few writes as the socket allows. A larger body, which
 * {@link BodyCollector} spooled, is read from its file a piece at a time, each piece only once
 * the one before is written: a 100 MiB upload holds one piece of memory, never the whole body.
 *
 * <p>Not thread-safe: used by one I/O thread.
 */
final class OutgoingRequest {

    /**
     * Bodies up to this size are framed whole before the first write; larger ones are read from
     * their spool file in pieces of this size (also FastCGI's largest record).
     */
    static final int WHOLE_LIMIT = BackendProtocol.MAX_BODY_PIECE;

    private final BackendProtocol protocol;
    private final RequestBody body;
    private final ByteBuffer[] first;
    /** What is being written now: {@link #first}, then the pieces of a large body, then its end. */
    private ByteBuffer[] batch;
    /** The next body byte to frame, for a body read in pieces. */
    private long nextPiece;
    private ByteBuffer piece;
    private boolean endFramed;
    private long bytesWritten;

    private OutgoingRequest(BackendProtocol protocol, RequestBody body, ByteBuffer[] first, long nextPiece) {
        this.protocol = protocol;
        this.body = body;
        this.first = first;
        this.batch = first;
        this.nextPiece = nextPiece;
        this.endFramed = nextPiece >= body.length();
    }

    /**
     * The request of {@code head} and {@code body} (which {@link #WHOLE_LIMIT} decides how to frame).
     *
     * @throws IOException when a spooled body cannot be read
     */
    static OutgoingRequest of(BackendProtocol protocol, ByteBuffer head, RequestBody body) throws IOException {
        if (body.length() <= WHOLE_LIMIT) {
            return new OutgoingRequest(protocol, body, protocol.wholeRequest(head, body.whole()), body.length());
        }
        return new OutgoingRequest(protocol, body, new ByteBuffer[] {head}, 0);
    }

    /**
     * Writes what {@code channel} takes now.
     *
     * @return true when the whole request is written
     */
    boolean writeTo(GatheringByteChannel channel) throws IOException {
        while (true) {
            long written;
            do {
                written = channel.write(batch);
                bytesWritten += written;
            } while (written > 0 && batch[batch.length - 1].hasRemaining());
            if (batch[batch.length - 1].hasRemaining()) {
                return false;
            }
            if (endFramed) {
                return true;
            }
            batch = nextBatch();
        }
    }

    /** The next piece of a spooled body, framed; after the last one, the end of the body. */
    private ByteBuffer[] nextBatch() throws IOException {
        if (nextPiece == body.length()) {
            endFramed = true;
            return new ByteBuffer[] {protocol.endOfBody()};
        }
        if (piece == null) {
            // Direct: a heap buffer is copied through a temporary direct one by the file read and
            // again by the socket write.
            piece = ByteBuffer.allocateDirect(WHOLE_LIMIT);
        }
        piece.clear().limit((int) Math.min(WHOLE_LIMIT, body.length() - nextPiece));
        body.readFully(piece, nextPiece);
        nextPiece += piece.flip().remaining();
        return protocol.bodyFrames(piece);
    }

    /** How many bytes of it were written. */
    long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Starts again from the first byte, for a request sent again on a new connection. Only a
     * request without a body is ever sent twice.
     */
    void rewind() {
        if (body.length() > 0) {
            throw new IllegalStateException("a request with a body is never sent twice");
        }
        for (ByteBuffer buffer : first) {
            buffer.rewind();
        }
        batch = first;
        bytesWritten = 0;
    }
}
