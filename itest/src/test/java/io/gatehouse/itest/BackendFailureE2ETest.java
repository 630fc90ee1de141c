package io.gatehouse.itest;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GarbageBackend;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.HttpClients;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.PhpFpmPool;
import io.gatehouse.itest.support.PhpScripts;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The built jar in front of backends that fail: one that is not there (503), one too slow for
 * its read-timeout (504) and one that answers with bytes that are not FastCGI (502). Each test
 * runs its own gatehouse with its own config.
 */
@ExtendWith(LeakCheck.class)
class BackendFailureE2ETest {

    /** The read-timeout of the slow backend, in whole seconds as the config takes it. */
    private static final int READ_TIMEOUT_SECONDS = 1;
    /** slow.php sleeps this long: far past the read-timeout. */
    private static final int SLOW_MILLIS = 5000;
    /** A 504 must come after the read-timeout, and not much later: the brief window lighttpd gives. */
    private static final Duration MAX_TIMEOUT_ANSWER = Duration.ofSeconds(3);
    /** The error log is written as the failure happens; a line appears within moments. */
    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    private Path dir;
    private Path docroot;

    @BeforeEach
    void createDirs() throws IOException {
        dir = TempDirs.create("gh-fail");
        LeakCheck.expectGone(dir);
        docroot = Files.createDirectory(dir.resolve("www"));
        PhpScripts.copyInto(docroot);
    }

    @AfterEach
    void deleteDirs() {
        TempDirs.deleteRecursively(dir);
    }

    @Test
    void aBackendSocketThatDoesNotExistIs503AndTheErrorLogNamesIt() throws IOException, InterruptedException {
        Path socket = dir.resolve("nobody-listens.sock");
        int port = FreePort.get();
        Path conf = ConfigFiles.phpBackend(dir, port, docroot, "absent-backend", socket);

        try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, port)) {
            HttpResponse<String> response = HttpClients.get(port, "/hello.php");

            assertEquals(503, response.statusCode(), response.body() + logs(gatehouse));
            awaitErrorLog("absent-backend", gatehouse);
            awaitErrorLog(socket.toString(), gatehouse);
            assertTrue(gatehouse.isAlive(), logs(gatehouse));
        }
        assertFalse(Files.exists(socket), "gatehouse must not create a backend socket it does not own");
    }

    @Test
    void aBackendSlowerThanTheReadTimeoutIs504() throws IOException, InterruptedException {
        try (PhpFpmPool pool = PhpFpmPool.start(1)) {
            int port = FreePort.get();
            Path conf = ConfigFiles.phpBackend(dir, port, docroot, "slow-fpm", pool.socketPath(),
                    "\"read-timeout\" => " + READ_TIMEOUT_SECONDS);
            try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, port)) {
                long start = System.nanoTime();
                HttpResponse<String> response = HttpClients.get(port, "/slow.php?ms=" + SLOW_MILLIS);
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertEquals(504, response.statusCode(), response.body() + logs(gatehouse));
                assertTrue(took.compareTo(Duration.ofMillis(READ_TIMEOUT_SECONDS * 900L)) >= 0,
                        "504 after " + took + ", before the read-timeout of " + READ_TIMEOUT_SECONDS + " s");
                assertTrue(took.compareTo(MAX_TIMEOUT_ANSWER) <= 0,
                        "504 after " + took + ", limit " + MAX_TIMEOUT_ANSWER);
                awaitErrorLog("slow-fpm", gatehouse);
            }
        }
    }

    @Test
    void aBackendThatSpeaksGarbageIs502() throws IOException, InterruptedException {
        Path socket = dir.resolve("garbage.sock");
        try (GarbageBackend garbage = GarbageBackend.start(socket)) {
            int port = FreePort.get();
            Path conf = ConfigFiles.phpBackend(dir, port, docroot, "garbage-backend", socket);
            try (GatehouseProcess gatehouse = GatehouseProcess.start(conf, port)) {
                HttpResponse<String> response = HttpClients.get(port, "/hello.php");

                assertEquals(502, response.statusCode(), response.body() + logs(gatehouse));
                assertTrue(garbage.connections() >= 1, "the request reached the garbage backend");
                assertFalse(response.body().contains("not FastCGI"), "garbage passed to the client: "
                        + response.body());
                awaitErrorLog("FastCGI", gatehouse);
                assertTrue(gatehouse.isAlive(), logs(gatehouse));
            }
        }
        assertFalse(Files.exists(socket));
    }

    private void awaitErrorLog(String text, GatehouseProcess gatehouse) {
        Path errorLog = dir.resolve(ConfigFiles.ERROR_LOG);
        long deadline = System.nanoTime() + LOG_WAIT.toNanos();
        while (!LogFiles.read(errorLog).contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("error log lacks '" + text + "' after " + LOG_WAIT + "\n" + logs(gatehouse));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private String logs(GatehouseProcess gatehouse) {
        return "\n" + gatehouse.logTail() + LogFiles.tail(List.of(dir.resolve(ConfigFiles.ERROR_LOG)));
    }
}
