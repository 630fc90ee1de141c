package io.gatehouse.itest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.ProcessTree;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code server.max-fds} against the built jar started by {@code bin/gatehouse}: it sets the
 * process's open-file limit (seen in {@code /proc/<pid>/limits}) and, without
 * {@code server.max-connections}, bounds connections at a third of it as lighttpd does, in the
 * same way {@code server.max-connections} bounds them: past the bound a new connection waits in
 * the listen backlog, unanswered, until open ones fall to 90 % of it. An unprivileged user asking
 * for more than its hard limit gets the hard limit and a warning.
 */
@ExtendWith(LeakCheck.class)
class MaxFdsE2ETest {

    private static final int BOUND = 100;
    private static final Duration ANSWER = Duration.ofSeconds(5);
    /** How long a connection past the bound is seen to wait unanswered. */
    private static final int UNANSWERED_FOR_MILLIS = 1500;
    /** server.max-read-idle where a test needs gatehouse to end unfinished heads. */
    private static final int READ_IDLE_SECONDS = 3;
    private static final int NOBODY = 65534;
    /** Socket states in /proc/net/tcp. */
    private static final String TCP_ESTABLISHED = "01";
    private static final String TCP_CLOSE_WAIT = "08";

    private Path dir;
    private GatehouseProcess gatehouse;
    private final List<Socket> held = new ArrayList<>();

    @BeforeEach
    void createDir() {
        dir = TempDirs.create("gh-maxfds");
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : held) {
            socket.close();
        }
        try {
            if (gatehouse != null) {
                gatehouse.close();
            }
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    /** lighttpd's rule: max-fds 300 gives 100 connections, as max-connections 100 does. */
    @ParameterizedTest
    @ValueSource(strings = {"server.max-fds = 300", "server.max-connections = 100"})
    void connectionsPastTheBoundWaitUnansweredUntilOpenOnesFallTo90Percent(String limit) throws Exception {
        int port = FreePort.get();
        gatehouse = GatehouseProcess.startWithLauncher(writeConfig(port, limit), port);
        if (limit.contains("max-fds")) {
            List<String> limits = openFileLimits(gatehouse.pid());
            assertEquals("300", limits.get(0), "the soft open-file limit");
            if (isRoot()) {
                assertEquals("300", limits.get(1), "root sets the hard limit too, as lighttpd");
            }
        }
        awaitServing(port, BOUND);

        holdAnswered(BOUND, i -> port);
        Socket waiting = connectPastTheBound(port);
        closeHeld(0, BOUND - (int) (BOUND * 0.9) + 1);
        assertAnswered(waiting, "accepted once open connections fell to 90 %");
        assertTrue(gatehouse.isAlive(), gatehouse.logTail());
    }

    /**
     * A regression: connections that waited together in the backlog were let in one past the
     * bound, because the accept loop took the next one without looking at the bound. Here they all
     * wait while gatehouse is stopped (SIGSTOP), so it finds them together when it goes on.
     */
    @Test
    void connectionsWaitingTogetherAreLetInOnlyUpToTheBound() throws Exception {
        int port = FreePort.get();
        start(port, BOUND, "server.max-connections = " + BOUND);
        int extra = 10;
        ProcessTree.signal(gatehouse.pid(), "STOP");
        try {
            awaitEveryThreadStopped();
            for (int i = 0; i < BOUND + extra; i++) {
                Socket socket = connect(port);
                held.add(socket);
                request(socket);
            }
        } finally {
            ProcessTree.signal(gatehouse.pid(), "CONT");
        }
        long deadline = System.nanoTime() + ANSWER.toNanos();
        int answered = 0;
        for (Socket socket : held) {
            // Those let in answer at once; the rest share one wait.
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            try {
                assertEquals(404, readStatus(socket.getInputStream()));
                answered++;
            } catch (SocketTimeoutException waiting) {
                // waits in the listen backlog
            }
        }
        assertEquals(BOUND, answered, "connections answered of " + (BOUND + extra) + " waiting together");
        assertTrue(gatehouse.isAlive(), gatehouse.logTail());
    }

    /** Starts gatehouse with {@code lines} in its config; returns once it serves {@code bound} connections. */
    private void start(int port, int bound, String... lines) throws Exception {
        gatehouse = GatehouseProcess.startWithLauncher(writeConfig(port, lines), port);
        awaitServing(port, bound);
    }

    /** Waits for the start's log of {@code bound} and for the start's probe of {@code port} to be gone. */
    private void awaitServing(int port, int bound) throws Exception {
        awaitLog("up to " + bound + " client connections at once");
        awaitNoClientConnection(port);
    }

    /** Opens {@code count} connections, the i-th to port {@code portOf(i)}: each is answered. */
    private void holdAnswered(int count, IntUnaryOperator portOf) throws IOException {
        for (int i = 0; i < count; i++) {
            Socket socket = connect(portOf.applyAsInt(i));
            held.add(socket);
            assertEquals(404, exchange(socket), "connection " + (i + 1) + " is within the bound");
        }
    }

    /** A connection to {@code port} with a request sent, which is left unanswered: it waits past the bound. */
    private Socket connectPastTheBound(int port) throws IOException {
        Socket waiting = connect(port);
        held.add(waiting);
        request(waiting);
        assertUnanswered(waiting, "a connection to port " + port + " past the bound");
        return waiting;
    }

    /** {@code waiting}'s request stays unanswered for a while: it waits in the listen backlog. */
    private static void assertUnanswered(Socket waiting, String what) throws IOException {
        waiting.setSoTimeout(UNANSWERED_FOR_MILLIS);
        try {
            int status = readStatus(waiting.getInputStream());
            fail("answered (" + status + "): " + what);
        } catch (SocketTimeoutException expected) {
            // still waiting
        }
    }

    /** {@code waiting}'s request is answered now (404: the config serves nothing). */
    private static void assertAnswered(Socket waiting, String what) throws IOException {
        waiting.setSoTimeout((int) ANSWER.toMillis());
        assertEquals(404, readStatus(waiting.getInputStream()), what);
    }

    /** Closes the held connections {@code from} (inclusive) to {@code to} (exclusive). */
    private void closeHeld(int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            held.get(i).close();
        }
    }

    /**
     * Waits until gatehouse holds no connection on {@code port}: the start's probe of the port
     * counts against the bound until gatehouse has seen it close.
     */
    private static void awaitNoClientConnection(int port) throws Exception {
        long deadline = System.nanoTime() + ANSWER.toNanos();
        while (heldConnections(port) > 0) {
            assertTrue(System.nanoTime() < deadline, "gatehouse still holds a connection on port " + port);
            Thread.sleep(5);
        }
    }

    /** TCP sockets on local port {@code port} whose server side is still open: established or close-wait. */
    private static long heldConnections(int port) throws IOException {
        String localPort = String.format(":%04X", port);
        // A JVM's sockets are IPv6 ones, IPv4 addresses mapped: listed in tcp6.
        List<String> lines = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> all = Files.readAllLines(Path.of(table));
            lines.addAll(all.subList(1, all.size()));
        }
        return lines.stream()
                .map(line -> line.trim().split("\\s+"))
                .filter(fields -> fields[1].endsWith(localPort))
                .filter(fields -> fields[3].equals(TCP_ESTABLISHED) || fields[3].equals(TCP_CLOSE_WAIT))
                .count();
    }

    /**
     * As lighttpd, the bound counts the connections of every listener together: with it reached
     * on two ports, a third port's connection waits until they fall to 90 %.
     */
    @Test
    void theBoundCountsEveryListenersConnectionsTogether() throws Exception {
        int port = FreePort.get();
        int second = FreePort.get();
        int third = FreePort.get();
        start(port, BOUND, "server.max-connections = " + BOUND,
                "$SERVER[\"socket\"] == \"127.0.0.1:" + second + "\" { }",
                "$SERVER[\"socket\"] == \"127.0.0.1:" + third + "\" { }");
        holdAnswered(BOUND, i -> i % 2 == 0 ? port : second);
        Socket waiting = connectPastTheBound(third);
        closeHeld(0, BOUND - (int) (BOUND * 0.9));
        assertAnswered(waiting, "accepted once open connections fell to 90 %");
    }

    /** A restart applies a new bound to the connections open: raised, a waiting connection gets in. */
    @Test
    void aRestartThatRaisesTheBoundLetsAWaitingConnectionIn() throws Exception {
        int small = 10;
        int port = FreePort.get();
        start(port, small, "server.max-connections = " + small);
        holdAnswered(small, i -> port);
        Socket waiting = connectPastTheBound(port);
        writeConfig(port, "server.max-connections = " + 2 * small);
        gatehouse.signal("USR1");
        assertAnswered(waiting, "accepted under the raised bound");
        for (Socket socket : held) {
            assertEquals(404, exchange(socket), "a connection open across the restart");
        }
    }

    /**
     * A regression: a restart resumes accepting on every listener, and while paused at the bound
     * that let connections in again before the open ones had fallen to 90 %.
     */
    @Test
    void aRestartDoesNotResumeAcceptingAboveTheResumeMark() throws Exception {
        int port = FreePort.get();
        start(port, BOUND, "server.max-connections = " + BOUND);
        holdAnswered(BOUND, i -> port);
        int aboveTheMark = BOUND / 20;
        closeHeld(0, aboveTheMark);
        Socket waiting = connectPastTheBound(port);
        gatehouse.signal("USR1");
        awaitLog("generation 2 serving");
        assertUnanswered(waiting, "after the restart with " + (BOUND - aboveTheMark) + " open");
        closeHeld(aboveTheMark, BOUND - (int) (BOUND * 0.9));
        assertAnswered(waiting, "accepted once open connections fell to 90 %");
    }

    /**
     * Every way a connection ends gives its place back: one missed would shrink the bound for good
     * (at worst a server that accepts nothing), one counted twice would let more in. Each way is
     * taken three times the bound over, then the whole bound must still be answered, and no more.
     */
    @Test
    void everyWayAConnectionEndsGivesItsPlaceBack() throws Exception {
        int small = 10;
        int port = FreePort.get();
        // Unfinished heads end by it; longer than a connection past the bound is watched,
        // as it closes idle kept-alive connections too (at the shorter of the two idle limits).
        start(port, small, "server.max-connections = " + small, "server.max-read-idle = " + READ_IDLE_SECONDS);
        for (int i = 0; i < 3 * small; i++) {
            connect(port).close();
            endAfterSending(port, "NOT HTTP\r\n\r\n", Ending.READ_TO_THE_END);
            endAfterSending(port, "GET /x HTTP/1.1\r\nHo", Ending.CLOSE);
            endAfterSending(port, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n", Ending.RESET);
            endAfterSending(port, "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Ending.READ_TO_THE_END);
        }
        List<Socket> unfinished = new ArrayList<>();
        for (int i = 0; i < small; i++) {
            Socket socket = connect(port);
            unfinished.add(socket);
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHo".getBytes(StandardCharsets.ISO_8859_1));
        }
        for (Socket socket : unfinished) {
            // closed by gatehouse once server.max-read-idle has passed
            socket.setSoTimeout((int) ANSWER.toMillis());
            assertEquals(-1, socket.getInputStream().read(), "an unfinished head's end");
            socket.close();
        }
        awaitNoClientConnection(port);
        holdAnswered(small, i -> port);
        connectPastTheBound(port);
    }

    /** How the client ends a connection after sending. */
    private enum Ending {
        CLOSE,
        /** SO_LINGER 0: the close sends a reset. */
        RESET,
        /** Reads whatever gatehouse answers until gatehouse closes. */
        READ_TO_THE_END
    }

    private static void endAfterSending(int port, String bytes, Ending ending) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            if (ending == Ending.RESET) {
                socket.setSoLinger(true, 0);
            } else if (ending == Ending.READ_TO_THE_END) {
                socket.setSoTimeout((int) ANSWER.toMillis());
                socket.getInputStream().readAllBytes();
            }
        }
    }

    /** kill returns before every thread has stopped: one still running could accept. */
    private void awaitEveryThreadStopped() throws Exception {
        long deadline = System.nanoTime() + ANSWER.toNanos();
        while (!everyThreadStopped()) {
            assertTrue(System.nanoTime() < deadline, "gatehouse's threads did not all stop");
            Thread.sleep(5);
        }
    }

    private boolean everyThreadStopped() throws IOException {
        try (var tasks = Files.list(Path.of("/proc/" + gatehouse.pid() + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readAllLines(task.resolve("stat")).get(0);
                } catch (NoSuchFileException ended) {
                    continue;
                }
                // the state follows the command name's closing parenthesis
                if (stat.charAt(stat.lastIndexOf(')') + 2) != 'T') {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void aMaxFdsAboveTheHardLimitOfAnUnprivilegedUserGetsTheHardLimitAndAWarning() throws Exception {
        int port = FreePort.get();
        Path conf = writeConfig(port, "server.max-fds = 4000");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        // As root, run as nobody (setpriv keeps the limits); as anyone else, as ourselves.
        String asUser = isRoot() ? "setpriv --reuid=" + NOBODY + " --regid=" + NOBODY + " --clear-groups " : "";
        gatehouse = GatehouseProcess.startCommand(List.of("sh", "-c",
                "ulimit -n 2048 && exec env GATEHOUSE_JAVA=\"$1\" GATEHOUSE_JAR=\"$2\" GATEHOUSE_CDS=off " + asUser
                        + "\"$3\" -D -f \"$4\"", "sh", java.toString(), GatehouseProcess.jar().toString(),
                GatehouseProcess.repoRoot().resolve("bin/gatehouse").toString(), conf.toString()), dir, port);
        assertEquals(List.of("2048", "2048"), openFileLimits(gatehouse.pid()));
        awaitLog("up to 682 client connections at once");
        assertTrue(gatehouse.log().contains("WARNING: server.max-fds 4000 is above the hard open-file limit 2048,"
                + " which only root can raise: the limit is 2048"), gatehouse.logTail());
        Socket socket = connect(port);
        held.add(socket);
        assertEquals(404, exchange(socket));
    }

    private Path writeConfig(int port, String... lines) throws IOException {
        List<String> config = new ArrayList<>(List.of(
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                // held connections must outlive the test, not the keep-alive idle limit
                "server.max-keep-alive-idle = 60"));
        config.addAll(List.of(lines));
        config.add("");
        return Files.writeString(dir.resolve("gatehouse.conf"), String.join("\n", config));
    }

    /** Waits for {@code text} in the log: the port accepts a moment before the start is logged. */
    private void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + ANSWER.toNanos();
        while (!gatehouse.log().contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in the log:\n" + gatehouse.logTail());
            Thread.sleep(20);
        }
    }

    private static boolean isRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(line -> line.matches("Uid:\\s+0\\s.*"));
    }

    /** The soft and hard "Max open files" of {@code pid}. */
    private static List<String> openFileLimits(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] columns = line.substring("Max open files".length()).trim().split("\\s+");
                return List.of(columns[0], columns[1]);
            }
        }
        throw new AssertionError("no open-file limit for " + pid);
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return socket;
    }

    private static int exchange(Socket socket) throws IOException {
        request(socket);
        socket.setSoTimeout((int) ANSWER.toMillis());
        return readStatus(socket.getInputStream());
    }

    private static void request(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads one whole response with its Content-Length body; returns its status. */
    private static int readStatus(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + head);
            }
            head.append((char) b);
        }
        String text = head.toString();
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(text.substring(9, 12));
    }
}
