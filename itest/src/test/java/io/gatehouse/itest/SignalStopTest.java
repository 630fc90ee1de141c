package io.gatehouse.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import org.junit.jupiter.api.Test;

/**
 * Stopping the built jar by signal: SIGINT (graceful, twice = now), SIGTERM (fast), and SIGHUP
 * (reopen the logs), with a bin-path backend and the pid file.
 */
class SignalStopTest {

    private static List<String> probe(RestartFixture f) {
        return List.of("\"bin-path\" => \"" + f.probeBinPath(false) + "\"", "\"max-procs\" => 2");
    }

    private static SignalLaunch launch(RestartFixture f) {
        return SignalLaunch.start(f.dir, Map.of(), "-D", "-f", f.conf.toString()).awaitPort(f.port);
    }

    @Test
    void interruptLetsTheRequestInFlightFinishRefusesNewConnectionsAndLeavesNothing() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-si", FreePort.get())) {
            f.writeConfig(8, probe(f));
            try (SignalLaunch gatehouse = launch(f)) {
                f.await("the children", () -> f.events().size() == 2);
                assertTrue(Files.exists(f.pidFile), "no pid file: " + gatehouse.output() + f.errorLogText());
                assertEquals(gatehouse.pid() + "", Files.readString(f.pidFile).strip());
                // A first request loads the request path's classes: a cold JVM on a busy machine
                // may take longer than the pause below to admit the slow one otherwise.
                assertEquals(200, f.get("/pid").status());
                CompletableFuture<RawHttpClient.Response> slow = CompletableFuture.supplyAsync(() -> get(f, "/sleep?ms=2000"));
                RestartFixture.sleepMillis(300);
                gatehouse.signal("INT");
                RestartFixture.sleepMillis(300);
                assertThrows(ConnectException.class, () -> f.get("/pid"), "a new connection was accepted while stopping");

                RawHttpClient.Response done = slow.get(10, TimeUnit.SECONDS);
                assertEquals(200, done.status(), done.body());
                assertEquals(0, gatehouse.awaitExit(Duration.ofSeconds(15)), gatehouse.output());
                assertFalse(Files.exists(f.pidFile), "pid file left behind");
                assertEquals(List.of(), f.socketFiles(), "socket files left behind");
                assertTrue(gatehouse.leftovers().isEmpty(), "backends left: " + gatehouse.leftovers());
                assertEquals(2, f.events().stream().filter(e -> e.startsWith("exit")).count(), f.events().toString());
            }
        }
    }

    @Test
    void aSecondInterruptStopsAtOnce() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-s2", FreePort.get())) {
            f.writeConfig(0, probe(f)); // no drain limit: only the second INT can end the wait
            try (SignalLaunch gatehouse = launch(f)) {
                // A first request loads the request path's classes: a cold JVM on a busy machine
                // may take longer than the pause below to admit the slow one otherwise.
                assertEquals(200, f.get("/pid").status());
                CompletableFuture<Boolean> slow = CompletableFuture.supplyAsync(() -> {
                    assertThrows(IOException.class, () -> f.get("/sleep?ms=20000"));
                    return true;
                });
                RestartFixture.sleepMillis(300);
                gatehouse.signal("INT");
                RestartFixture.sleepMillis(500);
                long second = System.nanoTime();
                gatehouse.signal("INT");
                assertEquals(0, gatehouse.awaitExit(Duration.ofSeconds(10)), gatehouse.output());
                assertTrue(slow.get(5, TimeUnit.SECONDS));
                long millis = (System.nanoTime() - second) / 1_000_000;
                assertTrue(millis < 5000, "second INT took " + millis + " ms to stop");
                assertFalse(Files.exists(f.pidFile), "pid file left behind");
                assertEquals(List.of(), f.socketFiles(), "socket files left behind");
            }
        }
    }

    @Test
    void terminateExitsWithinTwoSecondsLeavingNothing() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-st", FreePort.get())) {
            f.writeConfig(8, probe(f));
            GatehouseProcess gatehouse = f.start();
            f.await("the children", () -> f.events().size() == 2);
            List<Long> children = f.children();
            assertEquals(200, f.get("/pid").status()); // warms the request path before the timed one
            CompletableFuture<Boolean> slow = CompletableFuture.supplyAsync(() -> {
                assertThrows(IOException.class, () -> f.get("/sleep?ms=20000"));
                return true;
            });
            RestartFixture.sleepMillis(300);
            long signalled = System.nanoTime();
            gatehouse.signal("TERM");
            int status = gatehouse.waitForExit(Duration.ofSeconds(10));
            long millis = (System.nanoTime() - signalled) / 1_000_000;
            assertTrue(millis <= 2000, "TERM took " + millis + " ms");
            assertEquals(0, status);
            assertTrue(slow.get(5, TimeUnit.SECONDS), "the request in flight was cut");
            for (long child : children) {
                assertFalse(io.gatehouse.itest.support.ProcessTree.isAlive(child), "child " + child + " left");
            }
            assertFalse(Files.exists(f.pidFile), "pid file left behind");
            assertEquals(List.of(), f.socketFiles(), "socket files left behind");
        }
    }

    @Test
    void hangupReopensLogsMovedAway() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-sh", FreePort.get())) {
            Path accessLog = f.dir.resolve("access.log");
            f.writeConfig(8, probe(f), "accesslog.filename = \"" + accessLog + "\"");
            GatehouseProcess gatehouse = f.start();
            assertEquals(200, f.get("/pid?before").status());
            f.await("the access log line", () -> read(accessLog).contains("/pid?before"));
            Path movedError = f.dir.resolve("error.log.1");
            Path movedAccess = f.dir.resolve("access.log.1");
            Files.move(f.errorLog, movedError);
            Files.move(accessLog, movedAccess);

            gatehouse.signal("HUP");
            f.awaitErrorLog("logfiles cycled", 1);
            assertEquals(200, f.get("/pid?after").status());
            f.await("the new access log line", () -> read(accessLog).contains("/pid?after"));
            assertFalse(read(movedAccess).contains("/pid?after"), "written to the moved access log");
            assertFalse(read(movedError).contains("logfiles cycled"), "written to the moved error log");
            assertTrue(read(movedError).contains("started"), read(movedError));
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static RawHttpClient.Response get(RestartFixture f, String path) {
        try {
            return f.get(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
