package io.gatehouse.itest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.HttpClients;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.ProcessTree;
import io.gatehouse.itest.support.ProcessTree.ProcInfo;
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
 * The jar run with no arguments: 127.0.0.1:8080 in front of the built-in demo FastCGI backend,
 * which gatehouse starts as a child process and which must never outlive it.
 */
@ExtendWith(LeakCheck.class)
class EmbeddedDefaultTest {

    /** The embedded default's fixed port (README, DESIGN). */
    private static final int PORT = 8080;
    private static final int SIGINT = 2;
    private static final String DEMO_TEXT = "real FastCGI round trip";
    private static final Pattern RESPONDER_PID = Pattern.compile("Responder pid:\\D{0,20}(\\d+)");
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /** The demo backend notices EOF on its stdin at once; a few seconds covers a loaded machine. */
    private static final Duration ORPHAN_EXIT_WAIT = Duration.ofSeconds(5);

    private Path dir;

    @BeforeEach
    void requireTheDefaultPort() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT));
        } catch (IOException e) {
            fail("127.0.0.1:" + PORT + " is taken by another program (" + e.getMessage() + "): the embedded "
                    + "default needs it. Find it with: ss -ltnp 'sport = :" + PORT + "'");
        }
        dir = TempDirs.create("gh-emb");
        LeakCheck.expectGone(dir);
    }

    @AfterEach
    void deleteDir() {
        if (dir != null) {
            TempDirs.deleteRecursively(dir);
        }
    }

    @Test
    void servesTheDemoPageFromItsOwnChildAndSigintStopsBoth() throws IOException, InterruptedException {
        try (GatehouseProcess gatehouse = GatehouseProcess.startWithArgs(List.of(), List.of(), dir, PORT,
                runtimeDirectory())) {
            long responder = demoResponderPid(gatehouse);
            assertEquals(1, socketsUnder(dir).size(), "the demo socket is in the runtime directory: "
                    + socketsUnder(dir) + "\n" + gatehouse.logTail());
            ProcInfo info = ProcessTree.info(responder).orElseThrow(
                    () -> new AssertionError("responder pid " + responder + " is not running"));
            assertEquals(gatehouse.pid(), info.ppid(), "the responder is gatehouse's child: " + info.describe());
            assertTrue(ProcessTree.isAlive(responder), info.describe());
            List<ProcInfo> tree = ProcessTree.descendants(gatehouse.pid());
            assertFalse(ProcessTree.ignoresSignal(gatehouse.pid(), SIGINT), CliTest.SIGINT_IGNORED);

            gatehouse.signal("INT");

            assertEquals(0, gatehouse.waitForExit(STOP_WAIT), gatehouse.logTail());
            assertEquals(List.of(), ProcessTree.awaitGone(tree, STOP_WAIT), "left after SIGINT");
            ProcessTree.assertNoDescendants(gatehouse.pid());
            assertEquals(List.of(), socketsUnder(dir), "socket files left after SIGINT");
        }
    }

    @Test
    void childrenOfAKilledGatehouseAreStoppedByTheNextStart() throws IOException, InterruptedException {
        GatehouseProcess killed = GatehouseProcess.startWithArgs(List.of(), List.of(), dir, PORT,
                runtimeDirectory());
        try {
            ProcInfo orphan = ProcessTree.info(demoResponderPid(killed)).orElseThrow();
            killed.signal("KILL");
            killed.waitForExit(STOP_WAIT);
            // A SIGKILLed gatehouse cannot stop its children (they run in their own sessions);
            // the state file it kept lets the next start for the same config find and stop them.
            assertTrue(ProcessTree.isAlive(orphan), "the demo backend is expected to outlive a SIGKILLed gatehouse");
            try (GatehouseProcess next = GatehouseProcess.startWithArgs(List.of(), List.of(), dir, PORT,
                    runtimeDirectory())) {
                assertEquals(List.of(), ProcessTree.awaitGone(List.of(orphan), ORPHAN_EXIT_WAIT),
                        "the next start did not stop the previous run's demo backend\n" + next.logTail());
                assertTrue(next.log().contains("left by gatehouse pid " + killed.pid()), next.logTail());
                assertTrue(demoResponderPid(next) != orphan.pid(), "a new demo backend serves");
                next.signal("INT");
                assertEquals(0, next.waitForExit(STOP_WAIT));
            }
            assertEquals(List.of(), socketsUnder(dir), "socket files left behind");
        } finally {
            killed.close(); // by now nothing of the killed run may be left: close() checks that
        }
    }

    /**
     * The demo backend's socket and the state file go in the runtime directory: pointing it at the
     * test's directory (as systemd's {@code RuntimeDirectory=} does) keeps what a killed gatehouse
     * cannot unlink out of the machine's {@code /run/gatehouse}.
     */
    private Map<String, String> runtimeDirectory() {
        return Map.of("RUNTIME_DIRECTORY", dir.toString());
    }

    /** Socket files under the test directory: the demo backend's, while it runs. */
    private List<Path> socketsUnder(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(EmbeddedDefaultTest::isSocket).collect(Collectors.toList());
        }
    }

    private static boolean isSocket(Path path) {
        try {
            // Neither file, directory nor link: on this file system that is a socket (or a fifo).
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException e) {
            return false;
        }
    }

    /** GETs the demo page and returns the responder pid it shows. */
    private static long demoResponderPid(GatehouseProcess gatehouse) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClients.get(PORT, "/");
        assertEquals(200, response.statusCode(), response.body() + "\n" + gatehouse.logTail());
        assertTrue(response.body().contains(DEMO_TEXT), response.body());
        Matcher pid = RESPONDER_PID.matcher(response.body());
        assertTrue(pid.find(), "no responder pid on the demo page:\n" + response.body());
        return Long.parseLong(pid.group(1));
    }
}
