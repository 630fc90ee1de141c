package io.gatehouse.itest;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built jar in front of PHP-FPM with {@code "keep-alive" => "enable"}: connections stay open
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

    private static Path dir;
    private static PhpFpmPool pool;
    private static GatehouseProcess gatehouse;
    private static int port;

    @BeforeAll
    static void start() throws IOException {
        dir = TempDirs.create("gh-ka");
        LeakCheck.expectGone(dir);
        Path docroot = Files.createDirectory(dir.resolve("www"));
        PhpScripts.copyInto(docroot);
        pool = PhpFpmPool.start(2, Duration.ZERO, List.of("pm.max_requests = " + MAX_REQUESTS_PER_WORKER));
        LeakCheck.expectGone(pool.directory());
        port = FreePort.get();
        Path conf = ConfigFiles.phpBackend(dir, port, dir.resolve("www"), "php-fpm", pool.socketPath(),
                "\"keep-alive\" => \"enable\"");
        gatehouse = GatehouseProcess.start(conf, port);
    }

    @AfterAll
    static void stop() {
        try (PhpFpmPool p = pool; GatehouseProcess g = gatehouse) {
            // Closed in reverse order: gatehouse first, then the pool it talks to.
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    private static String logs() {
        return gatehouse.logTail() + LogFiles.tail(List.of(dir.resolve(ConfigFiles.ERROR_LOG))) + pool.log();
    }

    @Test
    void keptConnectionsSurviveWorkerRecyclingAndCarryManyRequests() throws IOException, InterruptedException {
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> hello = HttpClients.get(port, "/hello.php");
            assertEquals(200, hello.statusCode(), "request " + i + ": " + hello.body() + logs());
            assertEquals(PhpScripts.HELLO_BODY + "\n", hello.body());
            if (i % 5 == 0) {
                HttpResponse<String> form = HttpClients.post(port, "/post.php", "application/x-www-form-urlencoded",
                        "name=request+" + i);
                assertEquals(200, form.statusCode(), "post " + i + ": " + form.body() + logs());
                assertEquals("name=request " + i + "\n", form.body());
            }
        }
        // Without keep-alive php-fpm closes every connection after its response; kept ones stay open
        // (for the idle timeout, seconds) on the pool's socket.
        assertTrue(establishedConnectionsTo(pool.socketPath()) >= 1,
                "no connection to " + pool.socketPath() + " was kept open");
    }

    @Test
    void moreConcurrentRequestsThanWorkersAreNotStarvedByKeptConnections() throws Exception {
        // A php-fpm worker reads its kept connection until it closes: were finished connections kept
        // while others wait for a worker, the waiting ones would stall until the idle timeout.
        ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT_CLIENTS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < CONCURRENT_CLIENTS; c++) {
                results.add(clients.submit(() -> {
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                        HttpResponse<String> hello = HttpClients.client().send(
                                HttpClients.request(port, "/hello.php").timeout(STALL_LIMIT).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (hello.statusCode() != 200) {
                            return hello.statusCode();
                        }
                    }
                    return 200;
                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(200, result.get(STALL_LIMIT.toMillis() * REQUESTS_PER_CLIENT, TimeUnit.MILLISECONDS),
                        logs());
            }
        } finally {
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(STALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
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
