package io.gatehouse.itest;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.HttpClients;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.PhpFpmPool;
import io.gatehouse.itest.support.PhpScripts;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built jar in front of PHP-FPM with {@code "keep-alive" => "enable"}, once without a limit
 * (finished connections are closed while a new one may wait for a worker) and once with
 * {@code max-connections} equal to the pool's workers (requests beyond wait for a kept one): connections stay open
 * between requests (the kernel's socket table shows them), and workers recycled by
 * {@code pm.max_requests} close kept connections under the proxy without a client noticing.
 */
@ExtendWith(LeakCheck.class)
class PhpFpmKeepAliveTest {

    /** Each worker exits after this many requests, closing the connection it kept. */
    private static final int MAX_REQUESTS_PER_WORKER = 10;
    private static final int REQUESTS = 60;
    private static final Duration SS_TIMEOUT = Duration.ofSeconds(5);
    /** Four clients per worker: most requests find every worker busy. */
    private static final int CONCURRENT_CLIENTS = 8;
    private static final int REQUESTS_PER_CLIENT = 25;
    /** A hello request takes milliseconds; one stalled behind kept connections waits the idle timeout (4 s). */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(2);

    /** Still running at the reload, and longer than {@link #STALL_LIMIT}. */
    private static final Duration SLOW_REQUEST = Duration.ofSeconds(5);

    /** Load around a reload: long enough for requests queued before it and sent after it. */
    private static final Duration RELOAD_LOAD = Duration.ofSeconds(3);

    private static Path dir;
    private static final int WORKERS = 2;

    private static Front unlimited;
    private static Front limited;

    /**
     * One gatehouse, the port it serves and its own PHP-FPM pool: a pool shared by both would have
     * its workers held by the other's kept connections.
     */
    private record Front(GatehouseProcess process, int port, PhpFpmPool pool, Path errorLog) {
    }

    @BeforeAll
    static void start() throws IOException {
        dir = TempDirs.create("gh-ka");
        LeakCheck.expectGone(dir);
        Path docroot = Files.createDirectory(dir.resolve("www"));
        PhpScripts.copyInto(docroot);
        unlimited = startGatehouse("unlimited", "\"keep-alive\" => \"enable\"");
        limited = startGatehouse("limited", "\"keep-alive\" => \"enable\", \"max-connections\" => " + WORKERS);
    }

    private static Front startGatehouse(String name, String options) throws IOException {
        return startGatehouse(name, options, List.of("pm.max_requests = " + MAX_REQUESTS_PER_WORKER));
    }

    private static Front startGatehouse(String name, String options, List<String> poolLines) throws IOException {
        PhpFpmPool pool = PhpFpmPool.start(WORKERS, Duration.ZERO, poolLines);
        LeakCheck.expectGone(pool.directory());
        int port = FreePort.get();
        Path confDir = Files.createDirectory(dir.resolve(name));
        Path conf = ConfigFiles.phpBackend(confDir, port, dir.resolve("www"), "php-fpm", pool.socketPath(), options);
        try {
            return new Front(GatehouseProcess.start(conf, port), port, pool, confDir.resolve(ConfigFiles.ERROR_LOG));
        } catch (RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    private static Front front(String name) {
        return name.equals("limited") ? limited : unlimited;
    }

    @AfterAll
    static void stop() {
        try (PhpFpmPool up = poolOf(unlimited); GatehouseProcess u = processOf(unlimited);
             PhpFpmPool lp = poolOf(limited); GatehouseProcess l = processOf(limited)) {
            // Closed in reverse order: each gatehouse before the pool it talks to.
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    private static GatehouseProcess processOf(Front front) {
        return front == null ? null : front.process();
    }

    private static PhpFpmPool poolOf(Front front) {
        return front == null ? null : front.pool();
    }

    private static String logs(String name) {
        return logs(front(name));
    }

    private static String logs(Front front) {
        return front.process().logTail() + LogFiles.tail(List.of(front.errorLog())) + front.pool().log();
    }

    @ParameterizedTest
    @ValueSource(strings = {"unlimited", "limited"})
    void keptConnectionsSurviveWorkerRecyclingAndCarryManyRequests(String name)
            throws IOException, InterruptedException {
        int port = front(name).port();
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> hello = HttpClients.get(port, "/hello.php");
            assertEquals(200, hello.statusCode(), "request " + i + ": " + hello.body() + logs(name));
            assertEquals(PhpScripts.HELLO_BODY + "\n", hello.body());
            if (i % 5 == 0) {
                HttpResponse<String> form = HttpClients.post(port, "/post.php", "application/x-www-form-urlencoded",
                        "name=request+" + i);
                assertEquals(200, form.statusCode(), "post " + i + ": " + form.body() + logs(name));
                assertEquals("name=request " + i + "\n", form.body());
            }
        }
        // Without keep-alive php-fpm closes every connection after its response; kept ones stay open
        // (for the idle timeout, seconds) on the pool's socket.
        Path socket = front(name).pool().socketPath();
        assertTrue(establishedConnectionsTo(socket) >= 1, "no connection to " + socket + " was kept open");
    }

    @ParameterizedTest
    @ValueSource(strings = {"unlimited", "limited"})
    void moreConcurrentRequestsThanWorkersAreNotStarvedByKeptConnections(String name) throws Exception {
        int port = front(name).port();
        // A php-fpm worker reads its kept connection until it closes: were finished connections kept
        // while others wait for a worker, the waiting ones would stall until the idle timeout.
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT_CLIENTS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < CONCURRENT_CLIENTS; c++) {
                // Every other client posts: those requests open connections of their own on gateway
                // threads, which kept connections must make room for.
                boolean posts = c % 2 == 1;
                results.add(clients.submit(() -> {
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                        HttpResponse<String> hello = HttpClients.client().send(posts
                                ? HttpClients.request(port, "/post.php").timeout(STALL_LIMIT)
                                        .header("Content-Type", "application/x-www-form-urlencoded")
                                        .POST(HttpRequest.BodyPublishers.ofString("name=x")).build()
                                : HttpClients.request(port, "/hello.php").timeout(STALL_LIMIT).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (hello.statusCode() != 200) {
                            return hello.statusCode();
                        }
                    }
                    return 200;
                }));
            }
            for (Future<Integer> result : results) {
                int status;
                try {
                    status = result.get(STALL_LIMIT.toMillis() * REQUESTS_PER_CLIENT, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError("a client failed: " + e.getCause() + "\n" + logs(name), e);
                }
                assertEquals(200, status, logs(name));
            }
        } finally {
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(STALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /**
     * A reload with external backends only (an overlap restart) must not leave the old generation's
     * idle kept connections open while its requests in flight drain: each holds a php-fpm worker,
     * and the new generation's connections would wait in the pool's backlog until the drain ends.
     */
    @Test
    void aReloadFreesTheWorkersHeldByTheOldGenerationsIdleConnectionsAtOnce() throws Exception {
        int port = limited.port();
        long restartsBefore = restartsIn(limited);
        ExecutorService slowClient = Executors.newSingleThreadExecutor();
        try {
            // Worker 1: a request of the old generation still running when the reload comes.
            Future<HttpResponse<String>> slow = slowClient.submit(() -> HttpClients.get(port,
                    "/slow.php?ms=" + SLOW_REQUEST.toMillis()));
            Thread.sleep(SLOW_REQUEST.toMillis() / 10);
            // Worker 2: its connection kept idle by the old generation after this request.
            assertEquals(200, HttpClients.get(port, "/hello.php").statusCode(), logs(limited));
            assertTrue(establishedConnectionsTo(limited.pool().socketPath()) >= 2, logs(limited));

            limited.process().signal("USR1");
            awaitRestarts(limited, restartsBefore + 1);
            String errorLog = LogFiles.read(limited.errorLog());
            assertTrue(errorLog.contains("step 1/4 validate: config valid") && !errorLog.contains("step 1/7"),
                    "an overlap restart has four steps, and its first says so\n" + errorLog);
            long started = System.nanoTime();
            HttpResponse<String> hello = HttpClients.client().send(HttpClients.request(port, "/hello.php")
                    .timeout(SLOW_REQUEST.multipliedBy(2)).build(), HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertEquals(200, hello.statusCode(), logs(limited));
            assertTrue(!slow.isDone(), "the old generation's request ended before the new one was measured");
            assertTrue(took.compareTo(STALL_LIMIT) < 0, "the new generation's first request took " + took.toMillis()
                    + " ms: it waited for the old generation's drain\n" + logs(limited));
            assertEquals(200, slow.get(SLOW_REQUEST.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS).statusCode());
        } finally {
            slowClient.shutdownNow();
            assertTrue(slowClient.awaitTermination(SLOW_REQUEST.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /**
     * The other half of the same reload: requests queued in the old generation for one of its
     * connections still get one. Had each connection closed as its request ended, each queued
     * request would open its own beside the new generation's, more than the pool has workers, and
     * the ones left in its backlog would wait for a kept connection's idle timeout (4 s).
     */
    @Test
    void aReloadUnderLoadStallsNoRequestOfEitherGeneration() throws Exception {
        // Workers that are never recycled: one that exits (pm.max_requests) frees a queued connection.
        Front lasting = startGatehouse("lasting", "\"keep-alive\" => \"enable\", \"max-connections\" => " + WORKERS,
                List.of());
        try (PhpFpmPool pool = lasting.pool(); GatehouseProcess gatehouse = lasting.process()) {
            underLoadAReloadStallsNothing(lasting);
        }
    }

    private static void underLoadAReloadStallsNothing(Front front) throws Exception {
        int port = front.port();
        long restartsBefore = restartsIn(front);
        long loadEnds = System.nanoTime() + RELOAD_LOAD.toNanos();
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT_CLIENTS);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int c = 0; c < CONCURRENT_CLIENTS; c++) {
                results.add(clients.submit(() -> {
                    int served = 0;
                    while (System.nanoTime() < loadEnds) {
                        HttpResponse<String> answer = HttpClients.client().send(HttpClients.request(port,
                                "/slow.php?ms=50").timeout(STALL_LIMIT).build(), HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() != 200) {
                            return "status " + answer.statusCode() + " after " + served + " requests";
                        }
                        served++;
                    }
                    return "ok";
                }));
            }
            Thread.sleep(RELOAD_LOAD.toMillis() / 3);
            front.process().signal("USR1");
            awaitRestarts(front, restartsBefore + 1);
            for (Future<String> result : results) {
                try {
                    assertEquals("ok", result.get(RELOAD_LOAD.plus(STALL_LIMIT).toMillis(), TimeUnit.MILLISECONDS),
                            logs(front));
                } catch (ExecutionException e) {
                    throw new AssertionError("a request failed or stalled past " + STALL_LIMIT.toMillis() + " ms: "
                            + e.getCause() + "\n" + logs(front), e);
                }
            }
        } finally {
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(STALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private static long restartsIn(Front front) {
        return LogFiles.read(front.errorLog()).lines().filter(line -> line.contains("(restart) generation")
                && line.contains(" serving; ")).count();
    }

    private static void awaitRestarts(Front front, long count) throws InterruptedException {
        long deadline = System.nanoTime() + SLOW_REQUEST.toNanos();
        while (restartsIn(front) < count) {
            assertTrue(System.nanoTime() < deadline, "no restart logged\n" + logs(front));
            Thread.sleep(20);
        }
    }

    /** Connected unix stream sockets whose address is {@code socket}: the workers' ends of connections. */
    private static long establishedConnectionsTo(Path socket) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-x", "-H", "state", "established").redirectErrorStream(true).start();
        try {
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ss.waitFor(SS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "ss did not finish");
            assertEquals(0, ss.exitValue(), out);
            return out.lines().filter(line -> line.contains(socket.toString() + " ")).count();
        } finally {
            ss.destroyForcibly();
        }
    }
}
