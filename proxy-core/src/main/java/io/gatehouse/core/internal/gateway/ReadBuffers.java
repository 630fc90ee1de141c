package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.util.concurrent.atomic.AtomicInteger;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DefaultByteBufferPool;

/**
 * The direct buffers one server reads backend responses into, from an Undertow
 * {@link ByteBufferPool} of its own: a fresh 32 KiB heap array per response was most of the
 * proxy's allocation (and GC) under load, and reading a socket into a heap buffer makes the JDK
 * copy through a temporary direct one anyway.
 *
 * <p>A buffer is held only for one read ({@code BackendCall}) and, while it is, another for the
 * write that ends a chunked response ({@code ClientSink}), on an I/O thread, so no more are out at
 * once than two per I/O thread; each thread keeps the ones it uses, and at most
 * {@link #MAX_POOLED} more are kept for reuse: direct memory is limited to the heap size by
 * default, and a small heap must not run out of it.
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

    private final ByteBufferPool pool = new DefaultByteBufferPool(true, BUFFER_SIZE, MAX_POOLED, PER_THREAD);
    private final AtomicInteger inUse = new AtomicInteger();

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

    /** Buffers acquired and not yet released: what this server's requests hold now (diagnostics). */
    public int inUse() {
        return inUse.get();
    }

    @Override
    public void close() {
        pool.close();
    }
}
