package io.gatehouse.itest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.ProcessTree;
import io.gatehouse.itest.support.RawExchange;
import io.gatehouse.itest.support.TempDirs;
import io.gatehouse.itest.support.UnixListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, findings 7 and 8, replayed on raw sockets against the built jar started by
 * {@code bin/gatehouse} in front of php-cgi spawned by bin-path: a backend that never reads a
 * request body, and chunked uploads, which went to {@code java.io.tmpdir} whatever
 * {@code server.upload-dirs} said, unbounded. Each test runs its own gatehouse.
 */
@ExtendWith(LeakCheck.class)
class HostileUploadE2ETest {

    /** Past the 16 KiB a body may keep in memory: it goes to a spool file. */
    private static final int FIRST_CHUNK = 20_000;
    /** {@code server.max-request-size}, in KiB as the directive takes it. */
    private static final int MAX_REQUEST_KIB = 64;
    private static final int QUIET_MILLIS = 5000;
    private static final Duration SPOOL_WAIT = Duration.ofSeconds(10);

    private Path dir;
    private Path uploads;
    private int port;
    private GatehouseProcess gatehouse;

    @BeforeEach
    void createDirectories() throws IOException {
        dir = TempDirs.create("gh-upl");
        uploads = Files.createDirectory(dir.resolve("uploads"));
        port = FreePort.get();
    }

    @AfterEach
    void stop() {
        try {
            if (gatehouse != null) {
                gatehouse.close();
            }
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    /**
     * Finding 7: a backend that accepts the connection and never reads what it is sent. The
     * client used to get a reset after 60 s, with no status and no log line; now, after the
     * backend's {@code write-timeout}, a 504 (or 502) and an error-log line naming the backend,
     * and the body's spool file is gone with the request.
     */
    @Test
    void aBackendThatNeverReadsAPostBodyGets504AndAnErrorLogLineNotASilentReset() throws Exception {
        Path socket = dir.resolve("never.sock");
        try (UnixListener never = UnixListener.start(socket)) {
            gatehouse = GatehouseProcess.startWithLauncher(ConfigFiles.append(ConfigFiles.spawnedPhpCgi(dir, port),
                    "server.upload-dirs = ( " + ConfigFiles.quote(uploads.toString()) + " )",
                    "fastcgi.server += ( \".never\" => ( \"never-reads\" => ( \"socket\" => "
                            + ConfigFiles.quote(socket.toString())
                            + ", \"check-local\" => \"disable\", \"write-timeout\" => 1 ) ) )"), port);
            int length = 8 * 1024 * 1024; // far more than the socket buffers to the backend hold
            long started = System.nanoTime();
            RawExchange answer;
            try (Socket client = connect()) {
                OutputStream out = client.getOutputStream();
                out.write(("POST /upload.never HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[length]);
                out.flush();
                answer = RawExchange.readAll(client.getInputStream());
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(answer.status() == 504 || answer.status() == 502, "504 or 502, not a reset: " + answer);
            assertTrue(millis < 15_000, "answered after " + millis + " ms");
            assertTrue(never.accepted() >= 1, "the request reached the backend");
            LogFiles.await(dir.resolve(ConfigFiles.ERROR_LOG), "never-reads", SPOOL_WAIT, gatehouse::logTail);
            assertSpoolGone();
        }
    }

    /**
     * Finding 8: a chunked upload past what is kept in memory goes to a file in
     * {@code server.upload-dirs} (it went to java.io.tmpdir), already unlinked while it is
     * written, and is closed once the request is answered.
     */
    @Test
    void aChunkedUploadIsSpooledInUploadDirsUnlinkedAndClosedOnceAnswered() throws Exception {
        startGatehouse();
        try (Socket client = connect()) {
            sendFirstChunk(client);
            String spool = awaitOpenSpoolFile();
            assertTrue(spool.startsWith(uploads + "/") && spool.endsWith(" (deleted)"), spool);
            assertEquals(List.of(), list(uploads), "no name in the upload directory meanwhile");
            client.getOutputStream().write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            RawExchange answer = RawExchange.readAll(client.getInputStream());
            assertEquals(200, answer.status(), answer.toString());
        }
        assertSpoolGone();
    }

    /**
     * Finding 8's bound: with {@code server.max-request-size} (the default is unlimited, as
     * lighttpd's; 50 parallel unbounded uploads once put 933 MB in /tmp), a chunked body past it
     * is refused with 413, the connection closes, and the spool file goes.
     */
    @Test
    void aChunkedUploadPastMaxRequestSizeIs413AndLeavesNothing() throws Exception {
        startGatehouse();
        try (Socket client = connect()) {
            OutputStream out = client.getOutputStream();
            out.write(("POST /hello.php HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            try {
                for (int sent = 0; sent <= MAX_REQUEST_KIB * 1024; sent += FIRST_CHUNK) {
                    out.write(chunk(FIRST_CHUNK).getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            } catch (IOException refused) {
                // Closed after the 413: what should happen.
            }
            RawExchange answer = RawExchange.readAll(client.getInputStream());
            assertEquals(413, answer.status(), answer.toString());
            assertTrue(answer.closed(), answer.toString());
        }
        assertSpoolGone();
    }

    /**
     * Finding 8, "removed on every path": the spool file goes when the client leaves mid-upload,
     * when the backend fails (nobody listens on its socket: 503), at a graceful restart (SIGUSR1;
     * the upload in flight is cut after {@code server.graceful-shutdown-timeout}) and at a stop.
     */
    @ParameterizedTest
    @ValueSource(strings = {"client gone", "backend failure", "restart", "stop"})
    void theSpoolFileIsRemovedOnEveryPath(String path) throws Exception {
        startGatehouse();
        try (Socket client = connect()) {
            if (path.equals("backend failure")) {
                RawExchange answer = RawExchange.send(port, "POST /upload.down HTTP/1.1\r\nHost: x\r\n"
                        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk(FIRST_CHUNK) + "0\r\n\r\n",
                        QUIET_MILLIS);
                assertEquals(503, answer.status(), answer.toString());
            } else {
                sendFirstChunk(client);
                awaitOpenSpoolFile();
                switch (path) {
                    case "client gone" -> client.close();
                    case "restart" -> {
                        gatehouse.signal("USR1");
                        LogFiles.await(dir.resolve(ConfigFiles.ERROR_LOG), "generation 2", SPOOL_WAIT,
                                gatehouse::logTail);
                    }
                    default -> {
                        gatehouse.signal("TERM");
                        gatehouse.waitForExit(GatehouseProcess.STOP_TIMEOUT);
                    }
                }
            }
            assertSpoolGone();
        }
        if (!path.equals("stop")) {
            RawExchange ok = RawExchange.send(port, "GET /hello.php HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    QUIET_MILLIS);
            assertEquals(200, ok.status(), "still serving: " + ok);
        }
    }

    private void startGatehouse() {
        gatehouse = GatehouseProcess.startWithLauncher(ConfigFiles.append(ConfigFiles.spawnedPhpCgi(dir, port),
                "server.upload-dirs = ( " + ConfigFiles.quote(uploads.toString()) + " )",
                "server.max-request-size = " + MAX_REQUEST_KIB,
                "server.feature-flags = ( \"server.graceful-shutdown-timeout\" => 1 )",
                "fastcgi.server += ( \".down\" => ( \"down\" => ( \"socket\" => "
                        + ConfigFiles.quote(dir.resolve("nobody-listens.sock").toString())
                        + ", \"check-local\" => \"disable\" ) ) )"), port, Map.of());
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(QUIET_MILLIS);
        return socket;
    }

    private static void sendFirstChunk(Socket client) throws IOException {
        client.getOutputStream().write(("POST /hello.php HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n" + chunk(FIRST_CHUNK)).getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().flush();
    }

    private static String chunk(int size) {
        return Integer.toHexString(size) + "\r\n" + "x".repeat(size) + "\r\n";
    }

    /** The spool file gatehouse holds open, once it is open and unlinked; fails when none comes. */
    private String awaitOpenSpoolFile() throws InterruptedException {
        long deadline = System.nanoTime() + SPOOL_WAIT.toNanos();
        Optional<String> seen = Optional.empty();
        while (System.nanoTime() < deadline) {
            seen = openSpoolFile();
            if (seen.isPresent() && seen.get().endsWith(" (deleted)")) {
                return seen.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("gatehouse holds no unlinked spool file in " + uploads + " (last seen: " + seen
                + "); its descriptors: " + ProcessTree.fds(gatehouse.pid()) + "\n" + gatehouse.logTail());
    }

    /** A descriptor of gatehouse on a file of the upload directory, or of java.io.tmpdir (/tmp) itself. */
    private Optional<String> openSpoolFile() {
        if (!gatehouse.isAlive()) {
            return Optional.empty();
        }
        return ProcessTree.fds(gatehouse.pid()).stream()
                .filter(target -> target.startsWith(uploads + "/") || Path.of(target).getParent() != null
                        && Path.of(target).getParent().equals(Path.of("/tmp")))
                .findFirst();
    }

    /** Within seconds gatehouse holds no spool file, and the upload directory is empty. */
    private void assertSpoolGone() throws Exception {
        long deadline = System.nanoTime() + SPOOL_WAIT.toNanos();
        while (openSpoolFile().isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(Optional.empty(), openSpoolFile(), "a spool file is still open\n" + gatehouse.logTail());
        assertEquals(List.of(), list(uploads), "left in the upload directory");
    }

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }
}
