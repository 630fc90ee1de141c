package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DefaultByteBufferPool;

/**
 * The direct buffers one server reads backend responses and spooled request bodies into, from an Undertow
 * {@link ByteBufferPool} of its own: a fresh 32 KiB heap array per response was most of the
 * proxy's allocation (and GC) under load, and reading a socket into a heap buffer makes the JDK
 * copy through a temporary direct one anyway.
 *
 * <p>A buffer is held for one read ({@code BackendCall}) and, while it is, another for the
 * write that ends a chunked response ({@code ClientSink}), on an I/O thread: two per I/O thread.
 * Reads of responses held until they end ({@code ClientSink}) stay out longer, at most
 * {@link #MAX_HELD_READS} across the server. Each thread keeps the buffers it uses, and at most
 * {@link #MAX_POOLED} more are kept for reuse: direct memory is limited to the heap size by
 * default, and a small heap must not run out of it.
 *
 * <p>Request bodies on their way to a spool file are read into pieces of their own
 * ({@link #acquireSpoolPiece}): large ones while few are out, so that the hand-over of each to the
 * worker thread that writes it carries much (on this machine a hand-over there and back took
 * about 0.3 ms: with 64 KiB pieces a 100 MiB body spooled in about 400 ms, with 512 KiB pieces in
 * about 100 ms, lighttpd's time); beyond {@link #MAX_SPOOL_PIECES}, small ones, so that many
 * uploads at once each hold little direct memory and go slower rather than fail.
 *
 * <p>Thread-safe. Closed when its server stops; buffers given back after that are freed.
 */
public final class ReadBuffers implements Closeable {

    /** Large enough that a typical PHP page arrives in one read. */
    static final int BUFFER_SIZE = 32 * 1024;

    /** 8 MiB of direct memory kept at most, beyond the per-thread caches. */
    static final int MAX_POOLED = 256;

    /** Per I/O thread: the buffer of its read in progress, and one the end of a response is copied into meanwhile. */
    private static final int PER_THREAD = 2;

    /**
     * Response reads held at once across the server while their responses may still end (4 MiB):
     * beyond it responses stream as they arrive, so many slow responses cannot exhaust direct memory.
     */
    static final int MAX_HELD_READS = 128;

    static final int SPOOL_PIECE_SIZE = 512 * 1024;

    /** Large spool pieces out at once at most: 16 MiB, two each for 16 uploads arriving at full speed. */
    static final int MAX_SPOOL_PIECES = 32;

    static final int SMALL_SPOOL_PIECE_SIZE = 64 * 1024;

    /** Spool pieces kept for reuse (4 MiB large, 1 MiB small); more are allocated and freed as needed. */
    private static final int SPOOL_PIECES_KEPT = 8;
    private static final int SMALL_SPOOL_PIECES_KEPT = 16;

    private final ByteBufferPool pool = new DefaultByteBufferPool(true, BUFFER_SIZE, MAX_POOLED, PER_THREAD);
    private final AtomicInteger inUse = new AtomicInteger();
    private final ByteBufferPool spoolPieces = new DefaultByteBufferPool(true, SPOOL_PIECE_SIZE, SPOOL_PIECES_KEPT, 0);
    private final ByteBufferPool smallSpoolPieces =
            new DefaultByteBufferPool(true, SMALL_SPOOL_PIECE_SIZE, SMALL_SPOOL_PIECES_KEPT, 0);
    private final AtomicInteger spoolPiecesOut = new AtomicInteger();
    private final AtomicInteger heldReads = new AtomicInteger();

    /** A cleared buffer; give it back with {@link #release}. */
    PooledByteBuffer acquire() {
        PooledByteBuffer buffer = pool.allocate();
        inUse.incrementAndGet();
        return buffer;
    }

    void release(PooledByteBuffer buffer) {
        inUse.decrementAndGet();
        buffer.close();
    }

    /**
     * Counts one more response read held whole for a while ({@code ClientSink}); false, counting
     * nothing, when {@link #MAX_HELD_READS} are held already. Give it back with {@link #releaseHeld}.
     */
    boolean tryHold() {
        if (heldReads.incrementAndGet() <= MAX_HELD_READS) {
            return true;
        }
        heldReads.decrementAndGet();
        return false;
    }

    /** Gives back a read {@link #tryHold} counted. */
    void releaseHeld(PooledByteBuffer buffer) {
        heldReads.decrementAndGet();
        release(buffer);
    }

    /** A cleared piece for a request body on its way to a spool file; give it back by closing it. */
    PooledByteBuffer acquireSpoolPiece() {
        boolean large = spoolPiecesOut.incrementAndGet() <= MAX_SPOOL_PIECES;
        if (!large) {
            spoolPiecesOut.decrementAndGet();
        }
        PooledByteBuffer piece = (large ? spoolPieces : smallSpoolPieces).allocate();
        inUse.incrementAndGet();
        return new CountedPiece(piece, large);
    }

    /** Buffers and spool pieces acquired and not yet given back: what this server's requests hold now (diagnostics). */
    public int inUse() {
        return inUse.get();
    }

    @Override
    public void close() {
        pool.close();
        spoolPieces.close();
        smallSpoolPieces.close();
    }

    /** A spool piece: counted out until it is given back, once. */
    private final class CountedPiece implements PooledByteBuffer {

        private final PooledByteBuffer piece;
        private final boolean large;

        CountedPiece(PooledByteBuffer piece, boolean large) {
            this.piece = piece;
            this.large = large;
        }

        @Override
        public ByteBuffer getBuffer() {
            return piece.getBuffer();
        }

        @Override
        public boolean isOpen() {
            return piece.isOpen();
        }

        @Override
        public void close() {
            if (piece.isOpen()) {
                piece.close();
                inUse.decrementAndGet();
                if (large) {
                    spoolPiecesOut.decrementAndGet();
                }
            }
        }
    }
}
