package io.gatehouse.itest;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A bounded loopback load for restart tests: {@code keepAlive} clients that each send requests
 * one after the other on one connection, and {@code fresh} clients that open a new connection
 * per request. Each client pauses {@link #PAUSE_MILLIS} between requests, and everything stops
 * at {@link #stop()} or after {@code limit}, whichever comes first.
 *
 * <p>Counts what a restart may break: failed requests (not 200, or an I/O error), connections
 * refused, keep-alive connections closed without a response, keep-alive connections replaced,
 * and the longest time a request waited.
 *
 * <p>Thread-safe.
 */
final class RestartLoad implements AutoCloseable {

    /** Keeps the load light enough for two cores running the server, its backends and the test. */
    static final long PAUSE_MILLIS = 5;
    /** A request held through a restart waits for a drain and a spawn: seconds, not minutes. */
    static final int REQUEST_TIMEOUT_MILLIS = 30_000;
    /** Requests slower than this are listed in the summary, to see which restart held them. */
    private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

    private final int port;
    private final String path;
    private final long deadline;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong closedWithoutResponse = new AtomicLong();
    private final AtomicLong keepAliveReconnects = new AtomicLong();
    private final LongAccumulator longestNanos = new LongAccumulator(Math::max, 0);
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> slowest = new ConcurrentLinkedQueue<>();
    private final long startedNanos = System.nanoTime();
    private volatile boolean stopped;

    private RestartLoad(int port, String path, Duration limit) {
        this.port = port;
        this.path = path;
        this.deadline = System.nanoTime() + limit.toNanos();
    }

    /** Starts the clients. */
    static RestartLoad start(int port, String path, int keepAlive, int fresh, Duration limit) {
        RestartLoad load = new RestartLoad(port, path, limit);
        for (int i = 0; i < keepAlive; i++) {
            load.spawn("keep-alive-" + i, load::keepAliveClient);
        }
        for (int i = 0; i < fresh; i++) {
            load.spawn("fresh-" + i, load::freshClient);
        }
        return load;
    }

    private void spawn(String name, Runnable body) {
        Thread thread = new Thread(body, "load-" + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private boolean running() {
        return !stopped && System.nanoTime() < deadline;
    }

    private void keepAliveClient() {
        RawHttpClient client = null;
        try {
            while (running()) {
                if (client == null) {
                    client = connect();
                    if (client == null) {
                        continue;
                    }
                }
                long started = System.nanoTime();
                try {
                    RawHttpClient.Response response = client.get(path, false);
                    record(started, response);
                    if (response.connection().contains("close")) {
                        keepAliveReconnects.incrementAndGet();
                        client.close();
                        client = null;
                    }
                } catch (RawHttpClient.ClosedWithoutResponse e) {
                    closedWithoutResponse.incrementAndGet();
                    fail("keep-alive connection closed without a response");
                    client.close();
                    client = null;
                } catch (IOException e) {
                    fail("keep-alive request: " + e);
                    client.close();
                    client = null;
                }
                pause();
            }
        } catch (IOException e) {
            fail("keep-alive client: " + e);
        } finally {
            closeQuietly(client);
        }
    }

    private void freshClient() {
        while (running()) {
            RawHttpClient client = connect();
            if (client == null) {
                continue;
            }
            long started = System.nanoTime();
            try (client) {
                record(started, client.get(path, true));
            } catch (IOException e) {
                fail("new-connection request: " + e);
            }
            pause();
        }
    }

    private RawHttpClient connect() {
        try {
            return RawHttpClient.connect(port, REQUEST_TIMEOUT_MILLIS);
        } catch (ConnectException e) {
            refused.incrementAndGet();
            fail("connection refused: " + e.getMessage());
        } catch (IOException e) {
            fail("connect: " + e);
        }
        pause();
        return null;
    }

    private void record(long startedNanos, RawHttpClient.Response response) {
        long took = System.nanoTime() - startedNanos;
        longestNanos.accumulate(took);
        if (took > SLOW_NANOS && slowest.size() < 20) {
            slowest.add(Thread.currentThread().getName() + " at +" + (startedNanos - this.startedNanos) / 1_000_000
                    + " ms took " + took / 1_000_000 + " ms");
        }
        requests.incrementAndGet();
        if (response.status() != 200 || !response.body().startsWith("pid=")) {
            fail("status " + response.status() + ": " + response.body().strip());
        }
    }

    private void fail(String problem) {
        failures.incrementAndGet();
        if (problems.size() < 20) {
            problems.add(problem);
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(RawHttpClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // the test is over with this connection
            }
        }
    }

    /** Stops the clients and waits for them (each ends within one request timeout). */
    void stop() {
        stopped = true;
        for (Thread thread : threads) {
            try {
                thread.join(REQUEST_TIMEOUT_MILLIS + 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    long requests() {
        return requests.get();
    }

    long failures() {
        return failures.get();
    }

    long refused() {
        return refused.get();
    }

    long closedWithoutResponse() {
        return closedWithoutResponse.get();
    }

    long keepAliveReconnects() {
        return keepAliveReconnects.get();
    }

    Duration longestWait() {
        return Duration.ofNanos(longestNanos.get());
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    String summary() {
        return requests() + " requests, " + failures() + " failed, " + refused() + " refused connections, "
                + closedWithoutResponse() + " keep-alive connections closed without a response, "
                + keepAliveReconnects() + " keep-alive reconnects, longest wait " + longestWait().toMillis() + " ms"
                + (problems.isEmpty() ? "" : "; first problems: " + problems())
                + (slowest.isEmpty() ? "" : "; requests over 1 s: " + slowest);
    }

    @Override
    public void close() {
        stop();
    }
}
