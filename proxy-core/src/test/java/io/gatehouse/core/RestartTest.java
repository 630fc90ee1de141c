package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;

/** {@link Gatehouse#restart} and {@link Gatehouse#stop(boolean, Duration)} through the Java API, in process. */
class RestartTest {

    private static final int CLIENTS = 6;
    private static final int RESTARTS = 30;
    /** Any uid but ours: ownership is what matters, not whether a user has that uid. */
    private static final int OTHER_UID = 4242;

    @Test
    void restartsRacingRequestsLoseNone() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX)) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong served = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < CLIENTS; i++) {
                Thread client = new Thread(() -> {
                    while (running.get() && System.nanoTime() < deadline) {
                        try {
                            HttpResponse<String> response = proxy.get("/status?code=200");
                            if (response.statusCode() != 200) {
                                failures.add("status " + response.statusCode());
                            }
                            served.incrementAndGet();
                        } catch (IOException | InterruptedException e) {
                            failures.add(e.toString());
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            try {
                for (int i = 0; i < RESTARTS; i++) {
                    assertTrue(proxy.server.restart(proxy.server.config()), "restart " + i);
                    Thread.sleep(10);
                }
            } finally {
                running.set(false);
                for (Thread client : clients) {
                    client.join(TimeUnit.SECONDS.toMillis(25));
                }
            }
            assertEquals(List.of(), List.copyOf(failures), served + " served");
            assertTrue(served.get() > RESTARTS, "too few requests to race anything: " + served);
            Gatehouse.RestartStatus status = proxy.server.restartStatus();
            assertEquals(RESTARTS + 1, status.generation());
            assertEquals(RESTARTS, status.restarts());
            assertEquals(0, status.failedReloads());
        }
    }

    @Test
    void aSequencedRestartHoldsNewRequestsUntilTheNewChildServes() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_SPAWNED)) {
            long oldChild = proxy.server.backends().get(0).pid();
            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> get(proxy, "/slow?ms=800"));
            Thread.sleep(200);
            CompletableFuture<Boolean> restart = CompletableFuture.supplyAsync(() -> proxy.server.restart(proxy.server.config()));
            Thread.sleep(100);
            assertTrue(proxy.server.restartStatus().inProgress());
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                held.add(CompletableFuture.supplyAsync(() -> get(proxy, "/env")));
            }
            assertEquals(200, slow.get(10, TimeUnit.SECONDS).statusCode());
            assertTrue(restart.get(20, TimeUnit.SECONDS));
            for (CompletableFuture<HttpResponse<String>> request : held) {
                assertEquals(200, request.get(10, TimeUnit.SECONDS).statusCode());
            }
            long newChild = proxy.server.backends().get(0).pid();
            assertNotEquals(oldChild, newChild);
            assertFalse(ProcessHandle.of(oldChild).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(2, proxy.server.restartStatus().generation());
        }
    }

    @Test
    void aRequestLongerThanTheDrainLimitIsAborted() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX, b -> b,
                s -> s.gracefulShutdownTimeout(Duration.ofSeconds(1)))) {
            CompletableFuture<Long> cut = CompletableFuture.supplyAsync(() -> {
                long started = System.nanoTime();
                assertThrows(IOException.class, () -> RawHttp.exchange(proxy.port,
                        "GET /slow?ms=15000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null));
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            });
            Thread.sleep(200);
            assertTrue(proxy.server.restart(proxy.server.config()));
            long millis = cut.get(10, TimeUnit.SECONDS);
            assertTrue(millis >= 1000 && millis < 5000, "cut after " + millis + " ms, expected at the 1 s limit");
            assertEquals(200, proxy.get("/env").statusCode());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (proxy.server.restartStatus().retiring() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, proxy.server.restartStatus().retiring());
        }
    }

    @Test
    void aConfigFailingThePreflightIsRejectedAndCounted() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX)) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            try {
                ServerConfig bad = ServerConfig.builder().listen("127.0.0.1", proxy.port)
                        .route(Route.of("", Protocol.FASTCGI, BackendConfig.spawn(dir + "/missing-binary")
                                .socket(dir.resolve("x.sock")).label("bad").build())).build();
                assertFalse(proxy.server.restart(bad));
                Gatehouse.RestartStatus status = proxy.server.restartStatus();
                assertEquals(1, status.generation());
                assertEquals(1, status.failedReloads());
                assertTrue(status.lastFailure().contains("missing-binary does not exist"), status.lastFailure());
                assertEquals(200, proxy.get("/env").statusCode());
            } finally {
                Files.deleteIfExists(dir);
            }
        }
    }

    /** Config files that once exhausted the heap or the stack, and where their error is. */
    static Stream<Arguments> hostileConfigs() {
        String chain = IntStream.rangeClosed(1, 20_000).mapToObj(i -> "$HTTP[\"url\"] == \"/" + i + "\" {}")
                .collect(Collectors.joining(" else "));
        return Stream.of(
                Arguments.of("include of /dev/zero", "server.tag = \"x\"\ninclude \"/dev/zero\"\n", ":2:1: "),
                Arguments.of("include of /dev/urandom", "include \"/dev/urandom\"\n", ":1:1: "),
                Arguments.of("include of a FIFO", "include \"pipe.conf\"\n", ":1:1: "),
                Arguments.of("a string doubled 40 times", "var.a = \"x\"\n" + "var.a += var.a\n".repeat(40), ":18:10: "),
                Arguments.of("a 20,000-branch else chain", chain + "\n", ":1:"),
                Arguments.of("parentheses nested 100,000 deep",
                        "x = " + "(".repeat(100_000) + ")".repeat(100_000) + "\n", ":1:69: "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileConfigs")
    void aHostileConfigFileIsAFailedReloadAndTheOldGenerationServes(String name, String text, String where)
            throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX)) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            Path file = dir.resolve("hostile.conf");
            Path fifo = dir.resolve("pipe.conf");
            try {
                assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
                Files.writeString(file, text);
                assertFalse(proxy.server.reload(file));
                Gatehouse.RestartStatus status = proxy.server.restartStatus();
                assertEquals(1, status.generation());
                assertEquals(1, status.failedReloads());
                assertTrue(status.lastFailure().contains(file + where), status.lastFailure());
                assertEquals(200, proxy.get("/env").statusCode(), "the old generation serves");
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(fifo);
                Files.deleteIfExists(dir);
            }
        }
    }

    @Test
    void aBackendThatCannotStartRollsBackToTheOldConfig() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_SPAWNED)) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            Path script = script(dir, "crash.sh", "exit 3");
            try {
                assertFalse(proxy.server.restart(spawning(proxy, script, "crash")));
                Gatehouse.RestartStatus status = proxy.server.restartStatus();
                assertEquals(1, status.failedReloads());
                assertTrue(status.lastFailure().contains("GH-SPAWN-003"), status.lastFailure());
                assertEquals(2, status.generation(), "the old config runs again as a new generation");
                assertEquals(200, proxy.get("/env").statusCode(), "the old config serves");
                assertEquals("test-fastcgi_spawned", proxy.server.backends().get(0).label());
            } finally {
                Files.deleteIfExists(script);
                Files.deleteIfExists(dir);
            }
        }
    }

    @Test
    void aChildDyingRightAfterItsSpawnDuringAReloadUnderTrafficRollsBackAndNoRequestWaits() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_SPAWNED)) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            // Alive when spawned, gone well within the 150 ms start-up check, never accepting:
            // the requests the opened gate released into its listen queue find no server.
            Path script = script(dir, "dies.sh", "sleep 0.03\nexit 3");
            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
            AtomicLong afterRollBack = new AtomicLong(Long.MAX_VALUE);
            AtomicLong slowest = new AtomicLong();
            ConcurrentLinkedQueue<String> failuresAfterRollBack = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Thread client = new Thread(() -> {
                    while (running.get() && System.nanoTime() < deadline) {
                        long started = System.nanoTime();
                        String outcome;
                        try {
                            outcome = Integer.toString(proxy.get("/env").statusCode());
                        } catch (IOException | InterruptedException e) {
                            outcome = e.toString();
                        }
                        outcomes.add(outcome);
                        slowest.accumulateAndGet(System.nanoTime() - started, Math::max);
                        if (started > afterRollBack.get() && !outcome.equals("200")) {
                            failuresAfterRollBack.add(outcome);
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            try {
                Thread.sleep(200);

                assertFalse(proxy.server.restart(spawning(proxy, script, "dies")));
                afterRollBack.set(System.nanoTime());
                Thread.sleep(300);
            } finally {
                running.set(false);
                for (Thread client : clients) {
                    client.join(TimeUnit.SECONDS.toMillis(25));
                }
                Files.deleteIfExists(script);
            }
            Gatehouse.RestartStatus status = proxy.server.restartStatus();
            assertEquals(1, status.failedReloads());
            assertTrue(status.lastFailure().contains("GH-SPAWN-003"), status.lastFailure());
            assertTrue(status.lastFailure().contains("exited during start (status 3)"), status.lastFailure());
            assertEquals("test-fastcgi_spawned", proxy.server.backends().get(0).label(), "the old config's backend");
            assertEquals(200, proxy.get("/env").statusCode(), "the old config serves");
            assertEquals(List.of(), List.copyOf(failuresAfterRollBack), "every request after the roll-back is served");
            // Released into the dying child's queue, a request is answered at once (a 5xx: it may
            // have reached the child, so it is not sent again), never cut without an answer, nor
            // held for the connect-timeout (8 s) waiting for children of a stopped backend.
            List<String> unanswered = outcomes.stream().filter(o -> !o.matches("200|5\\d\\d")).toList();
            assertEquals(List.of(), unanswered, "outcomes: " + summary(outcomes));
            assertTrue(slowest.get() < TimeUnit.SECONDS.toNanos(3), "a request took "
                    + TimeUnit.NANOSECONDS.toMillis(slowest.get()) + " ms: " + summary(outcomes));
            assertTrue(outcomes.stream().filter("200"::equals).count() > CLIENTS, "too little traffic: "
                    + summary(outcomes));
            assertFalse(Files.exists(dir.resolve("dies.sock-0")), "the dead child's socket is unlinked");
            Files.delete(dir);
        }
    }

    /** A shell script of {@code body} in {@code dir}, executable by us only. */
    private static Path script(Path dir, String name, String body) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** {@code proxy}'s listener routing every request to {@code script}, spawned on {@code <label>.sock} beside it. */
    private static ServerConfig spawning(ProxyFixture proxy, Path script, String label) {
        return ServerConfig.builder().listen("127.0.0.1", proxy.port)
                .route(Route.of("", Protocol.FASTCGI, BackendConfig.spawn(script.toString())
                        .socket(script.resolveSibling(label + ".sock")).label(label).checkLocal(false).build()))
                .build();
    }

    private static String summary(ConcurrentLinkedQueue<String> outcomes) {
        return outcomes.stream().collect(Collectors.groupingBy(o -> o, Collectors.counting())).toString();
    }

    @Test
    void aReloadOntoASocketDirectoryOfAnotherUserIsRolledBackNamingTheOwner() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_SPAWNED)) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-");
            Path theirs = Files.createDirectory(dir.resolve("theirs"));
            Files.setAttribute(theirs, "unix:uid", OTHER_UID, LinkOption.NOFOLLOW_LINKS);
            try {
                ServerConfig hijackable = ServerConfig.builder().listen("127.0.0.1", proxy.port)
                        .route(Route.of("", Protocol.FASTCGI, BackendConfig.spawn("/bin/sleep 600")
                                .socket(theirs.resolve("php.sock")).label("php").checkLocal(false).build())).build();
                assertFalse(proxy.server.restart(hijackable));
                Gatehouse.RestartStatus status = proxy.server.restartStatus();
                assertTrue(status.lastFailure().contains("GH-SPAWN-010"), status.lastFailure());
                assertTrue(status.lastFailure().contains(theirs + " is owned by uid " + OTHER_UID), status.lastFailure());
                assertEquals(200, proxy.get("/env").statusCode(), "the old config serves");
                assertEquals("test-fastcgi_spawned", proxy.server.backends().get(0).label());
            } finally {
                Files.deleteIfExists(theirs);
                Files.deleteIfExists(dir);
            }
        }
    }

    @Test
    void aGracefulStopLetsTheRequestInFlightFinish() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX)) {
            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> get(proxy, "/slow?ms=600"));
            Thread.sleep(200);
            long started = System.nanoTime();
            proxy.server.stop(true, Duration.ofSeconds(8));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) >= 300, "did not wait");
            assertEquals(200, slow.get(5, TimeUnit.SECONDS).statusCode());
            assertTrue(proxy.server.awaitStopped(Duration.ofSeconds(1)));
            assertThrows(IOException.class, () -> proxy.get("/env"), "still accepting after the stop");
        }
    }

    private static HttpResponse<String> get(ProxyFixture proxy, String path) {
        try {
            return proxy.get(path);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
