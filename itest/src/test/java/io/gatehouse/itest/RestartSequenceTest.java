package io.gatehouse.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.ProcessTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The steps of a SIGUSR1 restart one at a time, against the built jar and a bin-path backend:
 * requests in flight and the drain limit, bad configs that must leave the old generation serving,
 * and a backend that ignores its kill-signal.
 */
class RestartSequenceTest {

    private static List<String> probe(RestartFixture f, boolean ignoreTerm, String... more) {
        List<String> options = new java.util.ArrayList<>(List.of(
                "\"bin-path\" => \"" + f.probeBinPath(ignoreTerm) + "\"", "\"max-procs\" => 1"));
        options.addAll(List.of(more));
        return options;
    }

    @Test
    void aRequestInFlightCompletesAndTheNextIsServedByTheNewGeneration() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-rq", FreePort.get())) {
            f.writeConfig(8, probe(f, false));
            GatehouseProcess gatehouse = f.start();
            long oldChild = f.servingPid();
            CompletableFuture<RawHttpClient.Response> slow = CompletableFuture.supplyAsync(() -> get(f, "/sleep?ms=1500"));
            RestartFixture.sleepMillis(300);
            gatehouse.signal("USR1");
            f.awaitErrorLog("step 2/7 close the gate", 1);
            long newChild = f.servingPid(); // held until the old child's request is done and a new child runs

            RawHttpClient.Response done = slow.get(10, TimeUnit.SECONDS);
            assertEquals(200, done.status(), done.body());
            assertEquals("pid=" + oldChild, done.body().strip(), "the request in flight finished on its old child");
            assertNotEquals(oldChild, newChild);
            assertFalse(ProcessTree.isAlive(oldChild), "old child " + oldChild + " still running");
            f.awaitErrorLog("(restart) generation 2 serving", 1);
            assertTrue(f.errorLogText().contains("1 requests were in flight, all finished"), f.errorLogText());
            assertTrue(f.errorLogText().contains("step 1/7 validate: config valid"), f.errorLogText());
        }
    }

    @Test
    void aRequestLongerThanTheDrainLimitIsCutAtTheDeadline() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-rd", FreePort.get())) {
            f.writeConfig(1, probe(f, false));
            GatehouseProcess gatehouse = f.start();
            f.servingPid(); // warms the request path: the slow request must be in flight before the signal
            CompletableFuture<Long> cutAfter = CompletableFuture.supplyAsync(() -> {
                long started = System.nanoTime();
                assertThrows(IOException.class, () -> f.get("/sleep?ms=15000"), "the slow request was answered");
                return (System.nanoTime() - started) / 1_000_000;
            });
            RestartFixture.sleepMillis(300);
            long signalled = System.nanoTime();
            gatehouse.signal("USR1");
            long cutMillis = cutAfter.get(12, TimeUnit.SECONDS);
            long sinceSignal = (System.nanoTime() - signalled) / 1_000_000;
            assertTrue(sinceSignal >= 900 && cutMillis < 5000,
                    "cut " + sinceSignal + " ms after USR1, expected at the 1 s drain limit");
            f.awaitErrorLog("(restart) generation 2 serving", 1);
            assertTrue(f.errorLogText().contains("1 aborted at the 1 s limit"), f.errorLogText());
            assertEquals(200, f.get("/pid").status());
        }
    }

    @Test
    void aConfigWithASyntaxErrorKeepsTheOldGenerationUntilTheFileIsFixed() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-rs", FreePort.get())) {
            f.writeConfig(8, probe(f, false));
            String good = java.nio.file.Files.readString(f.conf);
            GatehouseProcess gatehouse = f.start();
            long child = f.servingPid();

            f.writeRaw(good + "server.port = = 80\n");
            gatehouse.signal("USR1");
            f.awaitErrorLog("reload rejected", 1);
            String rejected = f.errorLogText().lines().filter(l -> l.contains("reload rejected")).findFirst().orElseThrow();
            assertTrue(rejected.contains(f.conf + ":7:"), "names file:line:col: " + rejected);
            assertEquals(child, f.servingPid(), "the old child still serves");
            assertTrue(gatehouse.isAlive());

            f.writeRaw(good);
            gatehouse.signal("USR1");
            f.awaitErrorLog("(restart) generation 2 serving", 1);
            assertNotEquals(child, f.servingPid(), "the fixed config was served by new children");
            assertEquals(1, f.errorLogCount("reload rejected"));
        }
    }

    /** The launcher's heap and out-of-memory handling (bin/gatehouse): a hostile reload must fit in them. */
    private static final List<String> LAUNCHER_HEAP = List.of("-XX:+UseSerialGC", "-Xms96m", "-Xmx96m",
            "-XX:OnOutOfMemoryError=kill -9 %p");

    /** Appended to a good config: each once ended a serving gatehouse with an OutOfMemoryError. */
    static Stream<Arguments> hostileAdditions() {
        String chain = IntStream.rangeClosed(1, 20_000).mapToObj(i -> "$HTTP[\"url\"] == \"/" + i + "\" {}")
                .collect(Collectors.joining(" else "));
        return Stream.of(
                Arguments.of("include of /dev/zero", "include \"/dev/zero\"\n", ":7:1: "),
                Arguments.of("a string doubled 40 times", "var.a = \"x\"\n" + "var.a += var.a\n".repeat(40), ":24:10: "),
                Arguments.of("a 20,000-branch else chain", chain + "\n", ":7:"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileAdditions")
    void aHostileConfigOnSigusr1IsAFailedReloadAndTheOldGenerationServes(String name, String addition, String where)
            throws Exception {
        try (RestartFixture f = new RestartFixture("gh-rh", FreePort.get())) {
            f.writeConfig(8, probe(f, false));
            String good = java.nio.file.Files.readString(f.conf);
            GatehouseProcess gatehouse = f.start(LAUNCHER_HEAP);
            long child = f.servingPid();

            f.writeRaw(good + addition);
            gatehouse.signal("USR1");
            f.awaitErrorLog("reload rejected", 1);
            String rejected = f.errorLogText().lines().filter(l -> l.contains("reload rejected")).findFirst().orElseThrow();
            assertTrue(rejected.contains(f.conf + where), "names file:line:col: " + rejected);
            assertEquals(child, f.servingPid(), "the old child still serves");
            assertTrue(gatehouse.isAlive());
        }
    }

    @Test
    void aConfigAddingAListenerOnATakenPortIsRejected() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-rp", FreePort.get());
                ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            f.writeConfig(8, probe(f, false));
            GatehouseProcess gatehouse = f.start();
            long child = f.servingPid();

            f.writeConfig(8, probe(f, false), "$SERVER[\"socket\"] == \"127.0.0.1:" + taken.getLocalPort() + "\" { }");
            gatehouse.signal("USR1");
            f.awaitErrorLog("reload rejected", 1);
            assertTrue(f.errorLogText().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), f.errorLogText());
            assertEquals(child, f.servingPid(), "the old generation was not touched");
            assertEquals(0, f.errorLogCount("step 2/7"), "nothing was torn down");
        }
    }

    @Test
    void aBackendIgnoringItsKillSignalIsKilledAndTheRestartCompletes() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-rk", FreePort.get())) {
            f.writeConfig(8, probe(f, true, "\"kill-timeout\" => 1"));
            GatehouseProcess gatehouse = f.start();
            long stubborn = f.servingPid();
            gatehouse.signal("USR1");
            f.awaitErrorLog("(restart) generation 2 serving", 1);
            assertTrue(f.events().contains("ignored-term " + stubborn), "the child saw SIGTERM: " + f.events());
            assertFalse(ProcessTree.isAlive(stubborn), "child " + stubborn + " survived the restart");
            assertNotEquals(stubborn, f.servingPid());
            assertTrue(f.errorLogText().contains("SIGKILL"), f.errorLogText());
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
