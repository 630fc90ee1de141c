package io.gatehouse.core.internal.gateway;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers for reading backend responses, reused across requests. A fresh 32 KiB heap
 * array per response was most of the proxy's allocation (and GC) under load, and reading a
 * socket into a heap buffer makes the JDK copy through a temporary direct one anyway.
 *
 * <p>Thread-safe.
 */
final class ReadBuffers {

    /** Large enough that a typical PHP page arrives in one read. */
    static final int BUFFER_SIZE = 32 * 1024;

    /** Buffers kept for reuse; beyond this, released buffers are left to the GC. */
    private static final int MAX_POOLED = 256;

    private static final ConcurrentLinkedDeque<ByteBuffer> POOL = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private ReadBuffers() {
    }

    static ByteBuffer acquire() {
        ByteBuffer buffer = POOL.pollFirst();
        if (buffer == null) {
            return ByteBuffer.allocateDirect(BUFFER_SIZE);
        }
        POOLED.decrementAndGet();
        buffer.clear();
        return buffer;
    }

    static void release(ByteBuffer buffer) {
        if (POOLED.incrementAndGet() <= MAX_POOLED) {
            POOL.offerFirst(buffer);
        } else {
            POOLED.decrementAndGet();
        }
    }
}
