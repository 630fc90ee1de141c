package io.gatehouse.core.internal.gateway;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers for reading backend responses, reused across requests. A fresh 32 KiB heap
 * array per response was most of the proxy's allocation (and GC) under load, and reading a
 * socket into a heap buffer makes the JDK copy through a temporary direct one anyway.
 *
 * <p>At most {@link #MAX_DIRECT} direct buffers are ever created, and every one is reused:
 * direct memory is limited to the heap size by default, and with a small heap and a thousand
 * requests in flight an unbounded pool ran out of it. Requests beyond that read into heap buffers.
 *
 * <p>Thread-safe.
 */
public final class ReadBuffers {

    /** Large enough that a typical PHP page arrives in one read. */
    static final int BUFFER_SIZE = 32 * 1024;

    /** 8 MiB of direct memory at most: enough for the requests a backend pool serves at once. */
    static final int MAX_DIRECT = 256;

    private static final ConcurrentLinkedDeque<ByteBuffer> POOL = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger CREATED = new AtomicInteger();
    private static final AtomicInteger IN_USE = new AtomicInteger();

    private ReadBuffers() {
    }

    static ByteBuffer acquire() {
        IN_USE.incrementAndGet();
        ByteBuffer buffer = POOL.pollFirst();
        if (buffer != null) {
            buffer.clear();
            return buffer;
        }
        if (CREATED.incrementAndGet() <= MAX_DIRECT) {
            return ByteBuffer.allocateDirect(BUFFER_SIZE);
        }
        CREATED.decrementAndGet();
        return ByteBuffer.allocate(BUFFER_SIZE);
    }

    static void release(ByteBuffer buffer) {
        IN_USE.decrementAndGet();
        if (buffer.isDirect()) {
            POOL.offerFirst(buffer);
        }
    }

    /** Buffers acquired and not yet released, in the whole process: a test's view of what requests hold. */
    public static int inUse() {
        return IN_USE.get();
    }
}
