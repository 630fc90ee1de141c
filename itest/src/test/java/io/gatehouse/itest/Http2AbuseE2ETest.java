package io.gatehouse.itest;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.Curl;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.Http2Frames;
import io.gatehouse.itest.support.Http2Frames.Start;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.Peers;
import io.gatehouse.itest.support.PhpScripts;
import io.gatehouse.itest.support.ProcessTree;
import io.gatehouse.itest.support.TempDirs;
import io.gatehouse.itest.support.TlsPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.gatehouse.itest.support.ConfigFiles.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 clients that attack the server rather than use it, against the built jar in front of
 * php-cgi, over TLS and over h2c (prior knowledge and Upgrade): each flood must end with the
 * connection closed by the server, within bounds, while other clients are still served.
 */
@ExtendWith(LeakCheck.class)
class Http2AbuseE2ETest {

    /**
     * The JVM options that choose the TLS engine of the gatehouse under test: none here (JSSE, the
     * default); the Openssl subclass runs every test again on BoringSSL.
     */
    List<String> engineOptions() {
        return List.of();
    }

    /** Far more than the 200 resets per 30 s a connection may send. */
    private static final int FLOOD_STREAMS = 5_000;
    /** Requests a rapid reset may start at most: the 200 resets the server takes, and slack. */
    private static final int RESET_STREAMS_SERVED = 200 + 20;
    /** 16 KiB CONTINUATION frames sent at most: 64 MiB, which must never be held. */
    private static final int MAX_CONTINUATIONS = 4_096;
    private static final int SETTINGS_FLOOD = 200_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);
    private static final String STATIC_FILE = "static.txt";
    /** Larger than a stream's 65,535-byte window: its sending waits for the client. */
    private static final String LARGE_FILE = "large.bin";
    /** Also the HTTP/2 requests all connections together may hold, running or waiting. */
    private static final int MAX_CONNECTIONS = 200;
    /** How long a restart waits for requests in flight before it cuts them. */
    private static final int DRAIN_SECONDS = 1;
    /** A SETTINGS payload: SETTINGS_INITIAL_WINDOW_SIZE 0, so that no response body is sent. */
    private static final byte[] NO_WINDOW = {0, 4, 0, 0, 0, 0};
    private static final int SLOW_SCRIPT_MICROS = 20_000;
    /** Streams opened at once on one connection, far past the 8 the server advertises. */
    private static final int STREAMS_AT_ONCE = 150;
    /** The 8 a connection may run and the 100 that may wait for them. */
    private static final int STREAMS_SERVED = 8 + 100;
    /** Connections that each open and reset streams for the static file until the server closes them. */
    private static final int STATIC_RESET_CONNECTIONS = 8;
    private static final int STATIC_RESET_STREAMS = 1_000;

    private Path dir;
    private int port;
    private int tlsPort;
    private GatehouseProcess gatehouse;

    @BeforeEach
    void start() throws IOException {
        dir = TempDirs.create("gh-h2a");
        LeakCheck.expectGone(dir);
        Path docroot = PhpScripts.copyInto(Files.createDirectory(dir.resolve("www")));
        Files.writeString(docroot.resolve(STATIC_FILE), "a static file\n");
        Files.write(docroot.resolve(LARGE_FILE), new byte[300 * 1024]);
        Files.writeString(docroot.resolve("sleep.php"), "<?php sleep(20); echo 'late';\n");
        Files.writeString(docroot.resolve("slowcount.php"), "<?php file_put_contents(__DIR__ . '/../slowcount', 'x',"
                + " FILE_APPEND | LOCK_EX); usleep(" + SLOW_SCRIPT_MICROS + "); echo 'counted';\n");
        Files.writeString(docroot.resolve("count.php"),
                "<?php file_put_contents(__DIR__ . '/../count', 'x', FILE_APPEND | LOCK_EX); echo 'counted';\n");
        TlsPeers.selfSigned(dir, "site", "/CN=localhost", 30);
        port = FreePort.get();
        tlsPort = FreePort.get();
        Path conf = ConfigFiles.append(ConfigFiles.write(dir.resolve("gh.conf"),
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.document-root = " + quote(docroot.toString()),
                "server.errorlog = " + quote(dir.resolve("error.log").toString()),
                "server.feature-flags += ( \"server.h2c\" => \"enable\" )",
                "server.graceful-shutdown-timeout = " + DRAIN_SECONDS,
                "server.max-connections = " + MAX_CONNECTIONS,
                "fastcgi.server = ( \".php\" => ( \"php\" => ( \"socket\" => " + quote(dir.resolve("php.sock").toString())
                        + ", \"bin-path\" => " + quote(Peers.require("php-cgi").toString()) + ", \"max-procs\" => 1 ) ) )"),
                ConfigFiles.tlsListener(tlsPort, dir).toArray(String[]::new));
        gatehouse = GatehouseProcess.start(conf, tlsPort, engineOptions()); // bound after the plain one
    }

    @AfterEach
    void stop() {
        try {
            gatehouse.close();
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    /** The TLS listener, or the plain one where h2c is on. */
    private int portFor(Start start) {
        return start == Start.TLS ? tlsPort : port;
    }

    private void stillServes() {
        Curl.Response response = Curl.request(URI.create("https://127.0.0.1:" + tlsPort + "/hello.php"), "-k", "--http2");
        assertEquals(200, response.status(), response.text());
        assertEquals(PhpScripts.HELLO_BODY, response.text().strip());
        assertTrue(gatehouse.isAlive());
    }

    /** Writes frame {@code i} of a flood. */
    private interface FloodFrame {
        void write(Http2Frames client, int i) throws IOException;
    }

    /**
     * Starts writing {@code count} frames from a thread of its own, flushed every 100; the thread
     * ends when all are sent, when the server closes, or when the test closes the connection (a
     * server that stops reading would otherwise block it for good).
     */
    private static Thread flood(Http2Frames client, int count, AtomicInteger sent, FloodFrame frame) {
        Thread thread = new Thread(() -> {
            try {
                while (sent.get() < count) {
                    frame.write(client, sent.get());
                    if (sent.incrementAndGet() % 100 == 0) {
                        client.flush();
                    }
                }
                client.flush();
            } catch (IOException e) {
                // closed by the server (what it should do) or by the test
            }
        }, "h2-flood");
        thread.start();
        return thread;
    }

    /** Closes the client and waits for its flood to end. */
    private static void end(Http2Frames client, Thread flood) throws IOException, InterruptedException {
        client.close();
        flood.join(READ_TIMEOUT.toMillis());
        assertFalse(flood.isAlive(), "the flooding thread did not end");
    }

    /**
     * Rapid reset (CVE-2023-44487): Undertow's own reset limit does not count a stream reset
     * while its request waits for the backend, so the 5,000 such streams all went on to php-cgi
     * (its listen queue overflowed) with neither GOAWAY nor a close. Each stream runs a script
     * that counts itself: the client's writes fit in the socket buffers, so only the backend
     * tells how much of the flood the server took.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void rapidResetIsCutOff(Start start) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        Http2Frames client = Http2Frames.connect(start, portFor(start), READ_TIMEOUT);
        byte[] request = Http2Frames.getRequest("/count.php");
        Thread flood = flood(client, FLOOD_STREAMS, sent, (c, i) -> {
            int stream = 2 * i + 3; // stream 1 is the upgrade request's
            c.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, stream, request);
            c.send(Http2Frames.RST_STREAM, 0, stream, Http2Frames.errorCode(Http2Frames.CANCEL));
        });
        boolean ended;
        try {
            client.awaitGoAway(); // Undertow's answer to too many resets, or the close
            ended = client.closedByServer();
        } catch (SocketTimeoutException e) {
            ended = false;
        } finally {
            end(client, flood);
        }
        assertTrue(ended, "after " + sent.get() + " opened and reset streams the server neither sent GOAWAY nor"
                + " closed within " + READ_TIMEOUT.toSeconds() + " s");
        stillServes();
        long served = settledCount(dir.resolve("count"));
        assertTrue(served <= RESET_STREAMS_SERVED, served + " of " + sent.get() + " reset streams ran the script");
        assertNoRequestInFlight();
    }

    /**
     * Rapid reset on a static file: a stream reset while a worker thread opened its file lost the
     * worker's hand-back to the I/O thread (Undertow changes the exchange on the I/O thread without
     * a lock), so the file stayed open until a garbage collection found it and the request counted
     * in flight for good, holding up a restart's drain (20 connections of 1,000 such streams left
     * 1,800 descriptors open). Then, once the lookup was handed back, Undertow dropped the answer of
     * a stream whose connection had closed meanwhile, with the same effect.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void rapidResetOnAStaticFileLeavesNoFileOpenAndNoRequestInFlight(Start start) throws Exception {
        Path file = dir.resolve("www").resolve(STATIC_FILE).toRealPath();
        byte[] request = Http2Frames.getRequest("/" + STATIC_FILE);
        for (int c = 0; c < STATIC_RESET_CONNECTIONS; c++) {
            AtomicInteger sent = new AtomicInteger();
            Http2Frames client = Http2Frames.connect(start, portFor(start), READ_TIMEOUT);
            Thread flood = flood(client, STATIC_RESET_STREAMS, sent, (h2, i) -> {
                int stream = 2 * i + 3;
                h2.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, stream, request);
                h2.send(Http2Frames.RST_STREAM, 0, stream, Http2Frames.errorCode(Http2Frames.CANCEL));
            });
            try {
                client.awaitGoAway();
                client.closedByServer();
            } catch (SocketTimeoutException e) {
                // counted below: what matters is what the server still holds
            } finally {
                end(client, flood);
            }
        }
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        long open = openDescriptorsOf(file);
        while (open > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            open = openDescriptorsOf(file);
        }
        assertEquals(0, open, "descriptors of " + file + " still open in gatehouse");
        assertNoRequestInFlight();
        stillServes();
    }

    /**
     * Restarts and checks that the old generation had no request in flight: one that never ends
     * would hold up every restart's drain until its time limit.
     */
    private void assertNoRequestInFlight() throws InterruptedException {
        assertNoRequestInFlightAtRestartTo(2);
    }

    private void assertNoRequestInFlightAtRestartTo(int generation) throws InterruptedException {
        gatehouse.signal("USR1");
        Path errorLog = dir.resolve("error.log");
        LogFiles.await(errorLog, "generation " + generation + " serving", READ_TIMEOUT, gatehouse::logTail);
        assertTrue(LogFiles.read(errorLog).contains("close the gate: 0 requests in flight"),
                "requests of reset, refused or cut streams still counted in flight:\n" + LogFiles.read(errorLog));
    }

    private long openDescriptorsOf(Path file) {
        return ProcessTree.fds(gatehouse.pid()).stream().filter(target -> target.equals(file.toString())).count();
    }

    /**
     * Streams past the 8 the server advertises: Undertow took every stream a connection opened and
     * each went to the backend at once on a backend connection of its own (ten connections opening
     * and resetting 1,000 streams each took gatehouse to its 20,000 descriptors). Now 8 run, 100 wait
     * for them and the rest are reset without reaching the backend; the connection never holds more
     * than 8 backend connections.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void streamsPastTheAdvertisedLimitWaitOrAreRefused(Start start) throws Exception {
        int socketsBefore = socketsOfGatehouse();
        int peak = socketsBefore;
        try (Http2Frames client = connectWithNothingRunning(start)) {
            byte[] request = Http2Frames.getRequest("/slowcount.php");
            for (int i = 0; i < STREAMS_AT_ONCE; i++) {
                client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 2 * i + 3, request);
            }
            client.flush();
            Path count = dir.resolve("slowcount");
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            long lastCount = -1;
            long nextCheck = System.nanoTime();
            // The socket count sampled until the backend's count has stood still for a second.
            while (System.nanoTime() - deadline < 0) {
                peak = Math.max(peak, socketsOfGatehouse());
                if (System.nanoTime() - nextCheck >= 0) {
                    long now = Files.exists(count) ? Files.size(count) : 0;
                    if (now == lastCount) {
                        break;
                    }
                    lastCount = now;
                    nextCheck = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
                Thread.sleep(5);
            }
            // More when a running request ended while the streams were still being read.
            assertTrue(lastCount >= STREAMS_SERVED && lastCount < STREAMS_AT_ONCE,
                    lastCount + " of " + STREAMS_AT_ONCE + " requests reached the backend");
        }
        // The client's connection and the 8 backend connections it may hold; a waiting request may
        // start in the completion of a running one, a moment before that one's backend socket closes.
        assertTrue(peak - socketsBefore <= 1 + 8 + 2, "gatehouse's sockets went from " + socketsBefore + " to " + peak);
        assertTrue(LogFiles.read(dir.resolve("error.log")).contains("8 requests running and 100 waiting on its connection; resetting"),
                LogFiles.read(dir.resolve("error.log")));
        assertNoRequestInFlight();
        stillServes();
    }

    /**
     * Connects as {@code start} says, and over an upgrade waits for the upgrade request's answer:
     * stream 1 holds one of the connection's 8 places until then.
     */
    private Http2Frames connectWithNothingRunning(Start start) throws Exception {
        Http2Frames client = Http2Frames.connect(start, portFor(start), READ_TIMEOUT);
        try {
            if (start == Start.UPGRADE) {
                awaitEndOfStream(client, 1);
            }
        } catch (IOException | AssertionError e) {
            client.close();
            throw e;
        }
        return client;
    }

    private static void awaitEndOfStream(Http2Frames client, int stream) throws IOException {
        for (Http2Frames.Frame frame = client.read(); ; frame = client.read()) {
            assertTrue(frame != null, "the server closed before stream " + stream + " ended");
            if (frame.stream() == stream && (frame.flags() & Http2Frames.END_STREAM) != 0) {
                return;
            }
        }
    }

    private int socketsOfGatehouse() {
        return (int) ProcessTree.fds(gatehouse.pid()).stream().filter(target -> target.startsWith("socket:")).count();
    }

    /**
     * Streams held by all connections together: each connection may run 8 and hold 100 waiting,
     * so 80 connections of 108 streams with 8 KB heads filled the 96 MiB heap and the JVM stopped
     * itself. Together they hold at most {@code server.max-connections}, here 200; the rest are reset.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void allConnectionsTogetherHoldAtMostMaxConnectionsRequests(Start start) throws Exception {
        byte[] request = Http2Frames.getRequest("/slowcount.php");
        List<Http2Frames> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 3; c++) {
                Http2Frames client = connectWithNothingRunning(start);
                clients.add(client);
            }
            // All sent at once: what ends meanwhile makes room for more.
            for (Http2Frames client : clients) {
                for (int i = 0; i < STREAMS_SERVED; i++) {
                    client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 3 + 2 * i, request);
                }
                client.flush();
            }
            long served = settledCount(dir.resolve("slowcount"));
            // More when running requests ended while the streams were still being read.
            assertTrue(served >= MAX_CONNECTIONS && served < MAX_CONNECTIONS + 2 * 8, served + " requests of "
                    + 3 * STREAMS_SERVED + " reached the backend");
        } finally {
            for (Http2Frames client : clients) {
                client.close();
            }
        }
        assertTrue(LogFiles.read(dir.resolve("error.log")).contains("no room left to wait in the " + MAX_CONNECTIONS
                + " HTTP/2 requests"), LogFiles.read(dir.resolve("error.log")));
        assertNoRequestInFlight();
        stillServes();
    }

    /**
     * The budget shared fairly: two connections that gave no flow-control window and asked for a
     * large file 108 times each held the whole budget of 200, and every other client's streams were
     * reset for as long as they stayed. Requests wait only in what is left once every open
     * connection has room to run its 8, so another client is still served.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void connectionsThatWaitCannotTakeTheOthersRoomToRun(Start start) throws Exception {
        byte[] large = Http2Frames.getRequest("/" + LARGE_FILE);
        List<Http2Frames> attackers = new ArrayList<>();
        try {
            for (int c = 0; c < 2; c++) {
                Http2Frames attacker = connectWithNothingRunning(start);
                attackers.add(attacker);
                attacker.send(Http2Frames.SETTINGS, 0, 0, NO_WINDOW);
                for (int i = 0; i < STREAMS_SERVED; i++) {
                    attacker.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 3 + 2 * i,
                            large);
                }
                attacker.flush();
            }
            Thread.sleep(500);
            try (Http2Frames client = connectWithNothingRunning(start)) {
                client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 3,
                        Http2Frames.getRequest("/" + STATIC_FILE));
                client.flush();
                for (Http2Frames.Frame frame = client.read(); ; frame = client.read()) {
                    assertTrue(frame != null, "the server closed before answering");
                    assertFalse(frame.type() == Http2Frames.RST_STREAM && frame.stream() == 3,
                            "the other client's stream was reset");
                    if (frame.stream() == 3 && (frame.flags() & Http2Frames.END_STREAM) != 0) {
                        break;
                    }
                }
            }
        } finally {
            for (Http2Frames attacker : attackers) {
                attacker.close();
            }
        }
        assertNoRequestInFlight();
    }

    /**
     * A restart that cuts a connection's running streams: their exchanges, forgotten by Undertow
     * once their streams were reset, never ended, so their places on the connection were never
     * given back and its later streams waited for good.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void aRestartThatCutsRunningStreamsGivesTheirPlacesBack(Start start) throws Exception {
        try (Http2Frames client = connectWithNothingRunning(start)) {
            sendEightSleepingRequests(client);
            client.flush();
            Thread.sleep(500);
            gatehouse.signal("USR1");
            LogFiles.await(dir.resolve("error.log"), "8 aborted at the " + DRAIN_SECONDS + " s limit", READ_TIMEOUT,
                    gatehouse::logTail);
            awaitStaticFiles(client, 101);
        }
    }

    /**
     * Streams the client reset while their requests ran: Undertow passes on no reset of a stream
     * whose response has not begun, so each request ran to its end on the backend and held one of
     * its connection's 8 places meanwhile (here 20 s of PHP): the connection's next requests waited
     * for them. Now a reset lets the request go at once, its backend connection closed.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void resetStreamsGiveTheirPlacesBackAndTheirBackendConnections(Start start) throws Exception {
        int socketsBefore = socketsOfGatehouse();
        try (Http2Frames client = connectWithNothingRunning(start)) {
            sendEightSleepingRequests(client);
            client.flush();
            // The client's connection and the backend connections php-cgi's workers took.
            awaitSocketsOfGatehouse(count -> count >= socketsBefore + 2, "a backend connection");
            for (int i = 0; i < 8; i++) {
                client.send(Http2Frames.RST_STREAM, 0, 3 + 2 * i, Http2Frames.errorCode(Http2Frames.CANCEL));
            }
            client.flush();
            awaitSocketsOfGatehouse(count -> count <= socketsBefore + 1, "the backend connections closed");
            awaitStaticFiles(client, 19);
        }
        assertNoRequestInFlight();
    }

    /**
     * Streams the client reset while a restart's gate held their requests: they kept their places
     * on the connection and in the server's HTTP/2 budget until the gate opened, so a client
     * resetting its streams in a loop could fill the budget during a slow drain. Now they leave
     * the gate at once, and the gate releases none of them.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void streamsResetWhileARestartHoldsThemLeaveTheGate(Start start) throws Exception {
        Path errorLog = dir.resolve("error.log");
        try (Http2Frames slow = connectWithNothingRunning(start); Http2Frames client = connectWithNothingRunning(start)) {
            // Keeps the restart's drain going until its limit.
            slow.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 3,
                    Http2Frames.getRequest("/sleep.php"));
            slow.flush();
            Thread.sleep(500);
            gatehouse.signal("USR1");
            LogFiles.await(errorLog, "new requests are held", READ_TIMEOUT, gatehouse::logTail);
            byte[] file = Http2Frames.getRequest("/" + STATIC_FILE);
            for (int i = 0; i < 8; i++) {
                client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 3 + 2 * i, file);
                client.send(Http2Frames.RST_STREAM, 0, 3 + 2 * i, Http2Frames.errorCode(Http2Frames.CANCEL));
            }
            client.flush();
            LogFiles.await(errorLog, "generation 2 serving", READ_TIMEOUT, gatehouse::logTail);
            assertTrue(LogFiles.read(errorLog).contains(" 0 held requests released"), LogFiles.read(errorLog));
            awaitStaticFiles(client, 19);
        }
    }

    /** Asks for the static file on 8 streams from {@code firstStream} on, and waits for all 8 answers. */
    private static void awaitStaticFiles(Http2Frames client, int firstStream) throws IOException {
        byte[] file = Http2Frames.getRequest("/" + STATIC_FILE);
        Set<Integer> open = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, firstStream + 2 * i, file);
            open.add(firstStream + 2 * i);
        }
        client.flush();
        while (!open.isEmpty()) {
            Http2Frames.Frame frame = client.read();
            assertTrue(frame != null, "the server closed with streams " + open + " unanswered");
            if ((frame.type() == Http2Frames.HEADERS || frame.type() == Http2Frames.DATA)
                    && (frame.flags() & Http2Frames.END_STREAM) != 0) {
                open.remove(frame.stream());
            }
        }
    }

    private void awaitSocketsOfGatehouse(IntPredicate reached, String what) throws InterruptedException {
        awaitDescriptors(() -> reached.test(socketsOfGatehouse()), what);
    }

    /** Opens streams 3 to 17, each a request for a PHP script that sleeps 20 s; the caller flushes. */
    private static void sendEightSleepingRequests(Http2Frames client) throws IOException {
        byte[] sleeping = Http2Frames.getRequest("/sleep.php");
        for (int i = 0; i < 8; i++) {
            client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 3 + 2 * i, sleeping);
        }
    }

    /**
     * Static files whose sending waits for a client that gives no window: when the client closed
     * the connection, the exchanges were ended without a word to the sender holding each file,
     * which stayed open until a garbage collection found it.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void aStaticFileWaitingForTheClientsWindowIsClosedWithItsConnection(Start start) throws Exception {
        Path file = dir.resolve("www").resolve(LARGE_FILE).toRealPath();
        try (Http2Frames client = connectWithNothingRunning(start)) {
            client.send(Http2Frames.SETTINGS, 0, 0, NO_WINDOW);
            byte[] request = Http2Frames.getRequest("/" + LARGE_FILE);
            for (int i = 0; i < 8; i++) {
                client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 3 + 2 * i, request);
            }
            client.flush();
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (openDescriptorsOf(file) < 8 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(8, openDescriptorsOf(file), "the files being sent");
        }
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (openDescriptorsOf(file) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, openDescriptorsOf(file), "descriptors of " + file + " still open after the client left");
        assertNoRequestInFlight();
    }

    /**
     * Streams reset while their responses wait for a window the client never gives: Undertow
     * keeps such a stream's sink open, and with it the exchange, until the connection closes, so
     * a static file and a spooled PHP response (up to 64 MiB on disk each) stayed open, and the
     * requests counted in flight, for as long as the client kept its connection.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void streamsResetWhileTheirResponsesWaitForTheWindowLetGoOfTheirFiles(Start start) throws Exception {
        Path file = dir.resolve("www").resolve(LARGE_FILE).toRealPath();
        try (Http2Frames client = connectWithNothingRunning(start)) {
            startTwoResponsesThatWaitForTheWindow(client, file);
            client.send(Http2Frames.RST_STREAM, 0, 3, Http2Frames.errorCode(Http2Frames.CANCEL));
            client.send(Http2Frames.RST_STREAM, 0, 5, Http2Frames.errorCode(Http2Frames.CANCEL));
            client.flush();
            awaitBothClosed(file);
            assertNoRequestInFlight();
        }
    }

    /**
     * A restart that cuts responses waiting for a window the client never gives: the cut reset
     * each stream, but Undertow keeps such a stream's sink open, and with it the exchange, so the
     * static file stayed open and counted in flight, into the next generation, for as long as the
     * client kept its connection.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void aRestartThatCutsResponsesWaitingForTheWindowLetsGoOfTheirFiles(Start start) throws Exception {
        Path file = dir.resolve("www").resolve(LARGE_FILE).toRealPath();
        Path errorLog = dir.resolve("error.log");
        try (Http2Frames client = connectWithNothingRunning(start)) {
            startTwoResponsesThatWaitForTheWindow(client, file);
            gatehouse.signal("USR1");
            LogFiles.await(errorLog, "2 aborted at the " + DRAIN_SECONDS + " s limit", READ_TIMEOUT, gatehouse::logTail);
            awaitBothClosed(file);
            assertNoRequestInFlightAtRestartTo(3);
        }
    }

    /**
     * Gives the server no window, then asks for {@code file} on stream 3 and for an 8 MiB PHP
     * response on stream 5; returns once the file is open and the PHP response spooled.
     */
    private void startTwoResponsesThatWaitForTheWindow(Http2Frames client, Path file) throws Exception {
        client.send(Http2Frames.SETTINGS, 0, 0, NO_WINDOW);
        client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 3,
                Http2Frames.getRequest("/" + LARGE_FILE));
        client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, 5,
                Http2Frames.getRequest("/download.php?bytes=" + 8 * 1024 * 1024 + "&cl=1"));
        client.flush();
        awaitDescriptors(() -> openDescriptorsOf(file) == 1 && spoolFilesOfGatehouse() == 1,
                "the file being sent and the PHP response's spool file");
    }

    private void awaitBothClosed(Path file) throws InterruptedException {
        awaitDescriptors(() -> openDescriptorsOf(file) == 0 && spoolFilesOfGatehouse() == 0,
                "both closed while the client keeps its connection");
    }

    /**
     * A waiting stream the client resets: gatehouse learnt of the reset before Undertow had read
     * it, ended the exchange, and Undertow answered it (an empty 200) on the stream the client had
     * just reset. Now it gets nothing but a reset.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void aWaitingStreamTheClientResetsIsAnsweredWithNothing(Start start) throws Exception {
        try (Http2Frames client = connectWithNothingRunning(start)) {
            sendEightSleepingRequests(client);
            byte[] file = Http2Frames.getRequest("/" + STATIC_FILE);
            for (int stream : new int[] {19, 21}) {
                client.send(Http2Frames.HEADERS, Http2Frames.END_HEADERS | Http2Frames.END_STREAM, stream, file);
            }
            client.flush();
            Thread.sleep(300); // they wait now
            for (int stream : new int[] {19, 21}) {
                client.send(Http2Frames.RST_STREAM, 0, stream, Http2Frames.errorCode(Http2Frames.CANCEL));
            }
            client.flush();
            Thread.sleep(300);
            client.send(Http2Frames.PING, 0, 0, new byte[8]);
            client.flush();
            for (Http2Frames.Frame frame = client.read(); ; frame = client.read()) {
                assertTrue(frame != null, "the server closed the connection");
                assertFalse((frame.type() == Http2Frames.HEADERS || frame.type() == Http2Frames.DATA)
                        && (frame.stream() == 19 || frame.stream() == 21), "stream " + frame.stream()
                        + ", which the client reset, was answered");
                if (frame.type() == Http2Frames.PING && (frame.flags() & 0x1) != 0) {
                    break;
                }
            }
        }
    }

    private long spoolFilesOfGatehouse() {
        return ProcessTree.fds(gatehouse.pid()).stream().filter(target -> target.contains("gatehouse-response-")).count();
    }

    private void awaitDescriptors(BooleanSupplier reached, String what) throws InterruptedException {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (!reached.getAsBoolean() && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        assertTrue(reached.getAsBoolean(), "waited for " + what + ": " + ProcessTree.fds(gatehouse.pid()));
    }

    /** The count a script keeps in {@code file} once no request has added to it for a second. */
    private static long settledCount(Path file) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = Files.exists(file) ? Files.size(file) : 0;
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(1_000);
        }
        throw new AssertionError("the count in " + file + " still grows after " + READ_TIMEOUT.toSeconds() + " s");
    }

    @ParameterizedTest
    @EnumSource(Start.class)
    void endlessContinuationFramesAreNotHeld(Start start) throws Exception {
        // One header, user-agent (static index 58) with a 100-byte value: 103 bytes of HPACK each.
        byte[] field = new byte[103];
        field[0] = 0x0f;
        field[1] = 43;
        field[2] = 100;
        java.util.Arrays.fill(field, 3, field.length, (byte) 'a');
        byte[] chunk = new byte[16_384 - 16_384 % field.length];
        for (int i = 0; i < chunk.length; i += field.length) {
            System.arraycopy(field, 0, chunk, i, field.length);
        }
        int sent = 0;
        boolean closed;
        try (Http2Frames client = Http2Frames.connect(start, portFor(start), READ_TIMEOUT)) {
            try {
                client.send(Http2Frames.HEADERS, 0, 3, Http2Frames.getRequest("/hello.php"));
                for (; sent < MAX_CONTINUATIONS; sent++) {
                    client.send(Http2Frames.CONTINUATION, 0, 3, chunk);
                }
                client.flush();
            } catch (IOException e) {
                // closed by the server while we were sending: what it should do
            }
            closed = client.closedByServer();
        }
        assertTrue(closed, "the connection is still open after " + sent + " CONTINUATION frames");
        assertTrue(sent < MAX_CONTINUATIONS, "the server took all " + sent + " CONTINUATION frames ("
                + (long) sent * chunk.length / 1024 + " KiB) of one header block");
        stillServes();
    }

    /**
     * A request whose header block is split into HEADERS and a CONTINUATION that comes in a later
     * read: Undertow handed the stream to the server as soon as the HEADERS frame was parsed, with
     * half its header block, and reset it (PROTOCOL_ERROR: no :path yet). Over TLS two records
     * made two reads, so a client whose headers outgrew one frame (past 16 KiB, with
     * {@code server.max-request-field-size} raised) could be refused at random.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void aHeaderBlockContinuedInALaterReadIsServed(Start start) throws Exception {
        try (Http2Frames client = connectWithNothingRunning(start)) {
            byte[] block = Http2Frames.getRequest("/" + STATIC_FILE);
            int half = block.length / 2;
            client.send(Http2Frames.HEADERS, Http2Frames.END_STREAM, 3, Arrays.copyOfRange(block, 0, half));
            client.flush();
            Thread.sleep(100); // read by the server before the rest is sent
            client.send(Http2Frames.CONTINUATION, Http2Frames.END_HEADERS, 3, Arrays.copyOfRange(block, half, block.length));
            client.flush();
            for (Http2Frames.Frame frame = client.read(); ; frame = client.read()) {
                assertTrue(frame != null, "the server closed the connection");
                assertFalse(frame.type() == Http2Frames.RST_STREAM && frame.stream() == 3,
                        "stream 3 was reset, error " + Arrays.toString(frame.payload()));
                if ((frame.type() == Http2Frames.HEADERS || frame.type() == Http2Frames.DATA) && frame.stream() == 3
                        && (frame.flags() & Http2Frames.END_STREAM) != 0) {
                    break;
                }
            }
        }
    }

    /**
     * Empty CONTINUATION frames: Undertow bounds a header block's bytes, not its frames, so a
     * client that sent nothing but empty ones after a HEADERS frame kept the connection, and its
     * I/O thread, busy for as long as it liked.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void emptyContinuationFramesAreCutOff(Start start) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        Http2Frames client = Http2Frames.connect(start, portFor(start), READ_TIMEOUT);
        client.send(Http2Frames.HEADERS, 0, 3, Http2Frames.getRequest("/hello.php"));
        Thread flood = flood(client, SETTINGS_FLOOD, sent, (c, i) -> c.send(Http2Frames.CONTINUATION, 0, 3, new byte[0]));
        boolean closed;
        try {
            closed = client.closedByServer();
        } finally {
            end(client, flood);
        }
        assertTrue(closed, "the connection is still open after " + sent.get() + " empty CONTINUATION frames");
        LogFiles.await(dir.resolve("error.log"), "CONTINUATION frames in one header block; connection closed",
                READ_TIMEOUT, gatehouse::logTail); // the operator learns why
        stillServes();
    }

    /**
     * Every SETTINGS frame makes the server write an ACK: flooded, one I/O thread did nothing else
     * and other clients' handshakes timed out. The connection is closed after 100 in 10 s.
     */
    @ParameterizedTest
    @EnumSource(Start.class)
    void aSettingsFloodIsCutOffAndOthersAreServed(Start start) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        Http2Frames client = Http2Frames.connect(start, portFor(start), READ_TIMEOUT);
        // Each asks for an ACK that is never read.
        Thread flood = flood(client, SETTINGS_FLOOD, sent, (c, i) -> c.send(Http2Frames.SETTINGS, 0, 0, new byte[0]));
        boolean closed;
        try {
            stillServes();
            flood.join(READ_TIMEOUT.toMillis());
            // Over plain TCP the whole flood may fit in the socket buffers: the close tells, not the count sent.
            closed = client.closedByServer();
        } finally {
            end(client, flood);
        }
        assertTrue(closed, "the connection is still open after " + sent.get() + " SETTINGS frames");
        LogFiles.await(dir.resolve("error.log"), "SETTINGS/PING frames in 10 s; connection closed", READ_TIMEOUT,
                gatehouse::logTail);
        stillServes();
    }
}
