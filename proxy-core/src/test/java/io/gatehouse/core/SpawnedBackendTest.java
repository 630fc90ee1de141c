package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;

/** bin-path backends through the whole server: php-cgi children spawned, replaced, stopped. */
class SpawnedBackendTest {

    private static final Path PHP_CGI = Path.of("/usr/bin/php-cgi");

    private Path dir;

    @BeforeEach
    void workspace() throws IOException {
        if (!Files.isExecutable(PHP_CGI)) {
            fail("php-cgi not found at " + PHP_CGI + ": install it (apt-get install php-cgi); .ci/run does");
        }
        dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
        Files.writeString(dir.resolve("pid.php"), "<?php echo getmypid(), ' ', getenv('GH_MARK');");
    }

    @AfterEach
    void clean() throws IOException {
        try (var walk = Files.walk(dir)) {
            List<Path> left = walk.filter(p -> p.getFileName().toString().startsWith("php.sock")).toList();
            assertTrue(left.isEmpty(), "socket files left behind: " + left);
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private ServerConfig.Builder phpCgi(BackendConfig.Builder backend) {
        return ServerConfig.builder().documentRoot(dir)
                .route(Route.of(".php", Protocol.FASTCGI, backend.label("php").build()));
    }

    @Test
    void phpCgiChildrenServeAndAKilledChildIsReplaced() throws Exception {
        BackendConfig.Builder backend = BackendConfig.spawn(PHP_CGI.toString()).socket(dir.resolve("php.sock"))
                .maxProcs(2).binEnvironment(Map.of("PHP_FCGI_CHILDREN", "2", "GH_MARK", "from-bin-environment"));
        List<Long> children;
        try (ProxyFixture proxy = ProxyFixture.start(phpCgi(backend))) {
            HttpResponse<String> first = proxy.get("/pid.php");
            assertEquals(200, first.statusCode());
            assertTrue(first.body().endsWith(" from-bin-environment"), first.body());

            children = proxy.server.backends().stream().map(Gatehouse.BackendStatus::pid).toList();
            assertEquals(2, children.size());
            assertTrue(children.stream().allMatch(pid -> pid > 0 && ProcessHandle.of(pid).isPresent()));

            long victim = children.get(0);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            long replacement = 0;
            while (System.nanoTime() < deadline) {
                // A request that a worker of the killed child had already accepted dies with it
                // (500, as in lighttpd); what matters is that the next ones are served.
                proxy.get("/pid.php");
                Gatehouse.BackendStatus proc0 = proxy.server.backends().get(0);
                if (proc0.state().equals("RUNNING") && proc0.pid() != victim) {
                    replacement = proc0.pid();
                    break;
                }
                Thread.sleep(20);
            }
            assertNotEquals(0, replacement, "proc 0 was not respawned within 3 s: " + proxy.server.backends());
            assertTrue(proxy.server.backends().get(0).restarts() >= 1);
            for (int i = 0; i < 10; i++) {
                assertEquals(200, proxy.get("/pid.php").statusCode(), "request " + i + " after the respawn");
            }
            children = List.of(replacement, children.get(1));
        }
        for (long pid : children) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child " + pid + " left running");
        }
    }

    @Test
    void aRequestWhileTheOnlyChildIsDownWaitsForTheRespawn() throws Exception {
        BackendConfig.Builder backend = BackendConfig.spawn(PHP_CGI.toString()).socket(dir.resolve("php.sock"))
                .maxProcs(1).binEnvironment(Map.of("PHP_FCGI_CHILDREN", "1"));
        try (ProxyFixture proxy = ProxyFixture.start(phpCgi(backend))) {
            assertEquals(200, proxy.get("/pid.php").statusCode());
            long victim = proxy.server.backends().get(0).pid();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            // Until the supervisor notices (within 100 ms) a worker of the killed child may still
            // accept a request and die with it; once it has, no child is in rotation until the
            // replacement passed its start-up check: lighttpd answers 503 then, we wait for it.
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (proxy.server.backends().get(0).pid() == victim && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertNotEquals(victim, proxy.server.backends().get(0).pid(), "the death was not noticed within 1 s");
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> response = proxy.get("/pid.php");
                assertEquals(200, response.statusCode(), "request " + i + ": " + response.body());
                assertFalse(response.body().startsWith(victim + " "), "served by the killed child");
            }
        }
    }

    @Test
    void aPortAlreadyTakenFailsStartUpAndStopsTheBackendsSpawnedBeforeTheBind() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            BackendConfig.Builder backend = BackendConfig.spawn(PHP_CGI.toString()).socket(dir.resolve("php.sock"))
                    .maxProcs(2);

            IOException failure = assertThrows(IOException.class,
                    () -> Gatehouse.start(phpCgi(backend).listen("127.0.0.1", taken.getLocalPort()).build()));

            assertTrue(failure.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), failure.getMessage());
            List<String> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .map(p -> p.pid() + " " + p.info().command().orElse("?"))
                    .filter(p -> p.contains("php")).toList();
            assertEquals(List.of(), left, "the backends spawned before the failed bind were stopped");
            // the socket files php.sock-0 and -1 are checked after each test
        }
    }

    @Test
    void aBinPathThatExitsAtOnceFailsStartUpAndLeavesNothing() throws Exception {
        Path script = dir.resolve("crash.sh");
        Files.writeString(script, "#!/bin/sh\nexit 3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        BackendConfig.Builder backend = BackendConfig.spawn(script.toString()).socket(dir.resolve("php.sock"))
                .maxProcs(2);
        int port = ProxyFixture.freePort();
        IOException failure = assertThrows(IOException.class,
                () -> Gatehouse.start(phpCgi(backend).listen("127.0.0.1", port).build()));
        assertTrue(failure.getMessage().contains("GH-SPAWN-003"), failure.getMessage());
        assertTrue(failure.getMessage().contains("status 3"), failure.getMessage());
        // Nothing listens: the listener was never bound.
        try (java.net.Socket probe = new java.net.Socket()) {
            assertThrows(IOException.class, () -> probe.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500));
        }
    }
}
