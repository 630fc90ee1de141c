package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

import io.gatehouse.core.internal.protocol.BackendProtocol;

/**
 * One request to a backend as its protocol frames it, written to a non-blocking channel as fast
 * as the channel takes it. A request of up to {@link #WHOLE_LIMIT} bytes of body is framed whole
 * at once and goes out in as few writes as the socket allows. A larger body, which
 * {@link BodyCollector} spooled, goes out a piece at a time, each piece's frame header written and
 * its bytes sent from the spool file by the kernel ({@code sendfile}), never copied through the
 * heap: a 100 MiB upload holds no buffer of its own.
 *
 * <p>Not thread-safe: used by one I/O thread.
 */
final class OutgoingRequest {

    /**
     * Bodies up to this size are framed whole before the first write; larger ones go out in
     * pieces of this size (also FastCGI's largest record).
     */
    static final int WHOLE_LIMIT = BackendProtocol.MAX_BODY_PIECE;

    private static final ByteBuffer[] NOTHING = new ByteBuffer[0];

    private final BackendProtocol protocol;
    private final RequestBody body;
    private final ByteBuffer[] first;
    /** Buffers being written now: {@link #first}, then the end of a body sent in pieces. */
    private ByteBuffer[] batch;
    /** The frame header of the piece being sent, written before its bytes. */
    private ByteBuffer pieceHeader;
    /** The spool file range of the piece being sent: from {@link #pieceAt} to {@link #pieceEnd}. */
    private long pieceAt;
    private long pieceEnd;
    /** The first body byte of the next piece. */
    private long nextPiece;
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
            if (batch.length > 0) {
                long written;
                do {
                    written = channel.write(batch);
                    bytesWritten += written;
                } while (written > 0 && batch[batch.length - 1].hasRemaining());
                if (batch[batch.length - 1].hasRemaining()) {
                    return false;
                }
                batch = NOTHING;
            }
            if (pieceAt < pieceEnd && !sendPiece(channel)) {
                return false;
            }
            if (nextPiece < body.length()) {
                startPiece();
            } else if (!endFramed) {
                endFramed = true;
                batch = new ByteBuffer[] {protocol.endOfBody()};
            } else {
                return true;
            }
        }
    }

    private void startPiece() {
        int length = (int) Math.min(WHOLE_LIMIT, body.length() - nextPiece);
        pieceHeader = protocol.pieceHeader(length);
        pieceAt = nextPiece;
        pieceEnd = nextPiece + length;
        nextPiece = pieceEnd;
    }

    /** Sends what the channel takes of the current piece; true when all of it is out. */
    private boolean sendPiece(GatheringByteChannel channel) throws IOException {
        while (pieceHeader.hasRemaining()) {
            int written = channel.write(pieceHeader);
            bytesWritten += written;
            if (written == 0) {
                return false;
            }
        }
        while (pieceAt < pieceEnd) {
            long sent = body.transferTo(pieceAt, pieceEnd - pieceAt, channel);
            if (sent == 0) {
                return false; // the socket is full: readiness for OP_WRITE follows
            }
            bytesWritten += sent;
            pieceAt += sent;
        }
        return true;
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
