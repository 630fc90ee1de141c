package io.gatehouse.core.internal.server;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads proxied requests run on. Each request blocks on its backend socket, so on JDK 21+
 * every request gets a virtual thread; on JDK 17 a bounded pool of platform threads is used,
 * sized by the system property {@code gatehouse.gateway-threads} (default
 * {@value #DEFAULT_PLATFORM_THREADS}), and further requests queue.
 */
public final class GatewayExecutors {

    /** Enough for a few hundred slow backends in flight; each platform thread costs a stack. */
    static final int DEFAULT_PLATFORM_THREADS = 256;

    private GatewayExecutors() {
    }

    /** A new executor; {@code name} prefixes platform thread names. */
    public static ExecutorService create(String name) {
        ExecutorService virtual = virtualThreadsIfAvailable();
        if (virtual != null) {
            return virtual;
        }
        int threads = Integer.getInteger("gatehouse.gateway-threads", DEFAULT_PLATFORM_THREADS);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** True when requests run on virtual threads (JDK 21+). */
    public static boolean usesVirtualThreads() {
        return Runtime.version().feature() >= 21;
    }

    private static ExecutorService virtualThreadsIfAvailable() {
        if (!usesVirtualThreads()) {
            return null;
        }
        try {
            // Compiled for 17: reach the JDK 21 factory reflectively.
            Method factory = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) factory.invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
