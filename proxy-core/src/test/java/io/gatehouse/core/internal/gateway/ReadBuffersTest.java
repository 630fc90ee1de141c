package io.gatehouse.core.internal.gateway;

import java.util.ArrayList;
import java.util.List;

import io.undertow.connector.PooledByteBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spool pieces: large ones up to a bound across the server, small ones beyond it, each counted out
 * once; held response reads: up to a bound across the server.
 */
class ReadBuffersTest {

    @Test
    void piecesAreLargeUpToTheBoundThenSmall() {
        try (ReadBuffers buffers = new ReadBuffers()) {
            List<PooledByteBuffer> pieces = new ArrayList<>();
            for (int i = 0; i < ReadBuffers.MAX_SPOOL_PIECES + 5; i++) {
                pieces.add(buffers.acquireSpoolPiece());
            }
            for (int i = 0; i < pieces.size(); i++) {
                int expected = i < ReadBuffers.MAX_SPOOL_PIECES ? ReadBuffers.SPOOL_PIECE_SIZE
                        : ReadBuffers.SMALL_SPOOL_PIECE_SIZE;
                assertEquals(expected, pieces.get(i).getBuffer().capacity(), "piece " + i);
            }
            assertEquals(pieces.size(), buffers.inUse());
            pieces.get(0).close();
            assertEquals(ReadBuffers.SPOOL_PIECE_SIZE, buffers.acquireSpoolPiece().getBuffer().capacity(),
                    "a large piece given back is there for the next");
        }
    }

    @Test
    void aPieceGivenBackTwiceCountsOnce() {
        try (ReadBuffers buffers = new ReadBuffers()) {
            PooledByteBuffer piece = buffers.acquireSpoolPiece();
            PooledByteBuffer other = buffers.acquireSpoolPiece();
            piece.close();
            piece.close();
            assertEquals(1, buffers.inUse());
            assertTrue(other.isOpen());
            other.close();
            assertEquals(0, buffers.inUse());
        }
    }

    @Test
    void heldReadsAreCountedUpToTheBoundAndGivenBackOnce() {
        try (ReadBuffers buffers = new ReadBuffers()) {
            List<PooledByteBuffer> held = new ArrayList<>();
            for (int i = 0; i < ReadBuffers.MAX_HELD_READS; i++) {
                PooledByteBuffer read = buffers.acquire();
                assertTrue(buffers.tryHold(), "hold " + i);
                held.add(read);
            }
            assertFalse(buffers.tryHold(), "one read more than the bound");
            buffers.releaseHeld(held.remove(0));
            assertTrue(buffers.tryHold(), "a read given back makes room for one");
            held.add(buffers.acquire());
            held.forEach(buffers::releaseHeld);
            assertEquals(0, buffers.inUse());
            assertTrue(buffers.tryHold(), "all given back");
        }
    }
}
