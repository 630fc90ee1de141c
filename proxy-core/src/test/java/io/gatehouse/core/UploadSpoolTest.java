package io.gatehouse.core;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request bodies larger than what is kept in memory are spooled in {@code server.upload-dirs}, in
 * a file that is unlinked while it is written, so nothing stays behind whichever way the request
 * ends.
 */
class UploadSpoolTest {

    /** A first chunk past what a body may keep in memory, so it goes to a spool file. */
    private static final int FIRST_CHUNK = 20_000;

    @TempDir
    Path uploads;

    @Test
    void aChunkedBodyIsSpooledInUploadDirsInAFileAlreadyUnlinked() throws Exception {
        try (ProxyFixture proxy = proxySpoolingIn(uploads);
                Socket client = connect(proxy.port)) {
            OutputStream out = client.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + firstChunk()).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String spool = awaitOpenSpoolFile();
            assertTrue(spool.startsWith(uploads.resolve("gatehouse-body-").toString()), spool);
            assertEquals(List.of(), list(uploads), "no name in the directory meanwhile");
            out.write("6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String response = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("length=" + (FIRST_CHUNK + 6) + " "), response);
        }
        assertEquals(List.of(), list(uploads));
    }

    @Test
    void aClientThatLeavesMidBodyLeavesNothingBehind() throws Exception {
        try (ProxyFixture proxy = proxySpoolingIn(uploads)) {
            spoolingClient(proxy, "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + firstChunk()).close();
            EngineFixture.waitFor(EngineFixture.SETTLE, () -> openSpoolFile() == null);
            assertEquals(null, openSpoolFile(), "the spool file is closed once the client is gone");
        }
        assertEquals(List.of(), list(uploads));
    }

    @Test
    void aLargeBodyArrivesWholeAndInOrderThroughItsPieces() throws Exception {
        byte[] body = new byte[5 * 1024 * 1024 + 123];
        new Random(7).nextBytes(body);
        try (ProxyFixture proxy = proxySpoolingIn(uploads)) {
            HttpResponse<byte[]> response = proxy.post("/upload", body);
            assertEquals(200, response.statusCode());
            assertEquals("length=" + body.length + " sha256="
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)),
                    new String(response.body(), StandardCharsets.ISO_8859_1));
            EngineFixture.assertSettlesAtZero(proxy.server::readBuffersInUse, "pieces out after the upload");
        }
        assertEquals(List.of(), list(uploads));
    }

    @Test
    void aClientThatSendsALittleAndStopsHasItOnDiskNotInMemory() throws Exception {
        try (ProxyFixture proxy = proxySpoolingIn(uploads)) {
            try (Socket client = spoolingClient(proxy, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n"
                    + "x".repeat(FIRST_CHUNK))) {
                EngineFixture.waitFor(EngineFixture.SETTLE, () -> spoolFileSize() >= FIRST_CHUNK);
                assertEquals(FIRST_CHUNK, spoolFileSize(), "what the stalled client sent is in its spool file");
                EngineFixture.assertSettlesAtZero(proxy.server::readBuffersInUse, "pieces held for a stalled client");
            }
        }
    }

    @Test
    void everyPieceGoesBackHoweverTheUploadEnds() throws Exception {
        int limit = 3 * 1024 * 1024;
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX, b -> b,
                s -> s.uploadDirs(List.of(uploads)).maxRequestSizeBytes(limit))) {
            spoolingClient(proxy, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + limit + "\r\n\r\n"
                    + "z".repeat(1024 * 1024)).close();
            EngineFixture.assertSettlesAtZero(proxy.server::readBuffersInUse, "pieces out after a client left mid-body");
            try (Socket client = connect(proxy.port)) {
                byte[] request = ("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(2 * limit) + "\r\n" + "y".repeat(2 * limit) + "\r\n0\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
                Thread writer = new Thread(() -> {
                    try {
                        client.getOutputStream().write(request);
                    } catch (IOException refusedMidway) {
                        // The server closes once it has refused the body.
                    }
                });
                writer.start();
                String statusLine = new String(client.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                assertEquals("HTTP/1.1 413", statusLine);
                client.close();
                writer.join(5000);
            }
            EngineFixture.assertSettlesAtZero(proxy.server::readBuffersInUse, "pieces out after a body over the limit");
        }
        assertEquals(List.of(), list(uploads));
    }

    /**
     * Clients that leave mid-body at every point of the spooling, some while a piece is still
     * queued for the worker that writes it: the abort must not reach into that write (it once
     * made the worker open a second spool file and fail, so its piece never came back).
     */
    @Test
    void clientsLeavingWhileTheirPiecesAreBeingWrittenLeaveNothingBehind() throws Exception {
        try (ProxyFixture proxy = proxySpoolingIn(uploads)) {
            Random random = new Random(11);
            byte[] body = new byte[3 * 1024 * 1024];
            for (int client = 0; client < 60; client++) {
                int sent = FIRST_CHUNK + random.nextInt(body.length - FIRST_CHUNK);
                try (Socket socket = connect(proxy.port)) {
                    if (client % 2 == 0) {
                        socket.setSoLinger(true, 0); // half of them reset the connection instead of closing it
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body, 0, sent);
                }
            }
            EngineFixture.assertSettlesAtZero(proxy.server::readBuffersInUse, "pieces out after the clients left");
            EngineFixture.waitFor(EngineFixture.SETTLE, () -> openSpoolFile() == null);
            assertEquals(null, openSpoolFile(), "a spool file left open");
        }
        assertEquals(List.of(), list(uploads));
    }

    @Test
    void anUploadDirThatCannotTakeAFileIs500() throws Exception {
        Path missing = uploads.resolve("missing");
        try (ProxyFixture proxy = proxySpoolingIn(missing)) {
            RawHttp.Response response = RawHttp.exchange(proxy.port, "POST /upload HTTP/1.1\r\nHost: t\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                    (firstChunk() + "0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(500, response.status());
        }
    }

    @Test
    void aSmallBodyNeverTouchesTheDisk() throws Exception {
        try (ProxyFixture proxy = proxySpoolingIn(uploads.resolve("missing"))) {
            RawHttp.Response response = RawHttp.exchange(proxy.port, "POST /upload HTTP/1.1\r\nHost: t\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                    "5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(200, response.status(), "kept in memory: the missing upload dir is never needed");
            assertTrue(response.bodyText().contains("length=5 "), response.bodyText());
        }
    }

    /** gatehouse in front of the FastCGI test backend, spooling bodies past what it keeps in memory in {@code dir}. */
    private static ProxyFixture proxySpoolingIn(Path dir) throws IOException {
        return ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX, b -> b, s -> s.uploadDirs(List.of(dir)));
    }

    private static String firstChunk() {
        return Integer.toHexString(FIRST_CHUNK) + "\r\n" + "x".repeat(FIRST_CHUNK) + "\r\n";
    }

    /** A client that has sent {@code request}, a body past what is kept in memory, now being spooled. */
    private Socket spoolingClient(ProxyFixture proxy, String request) throws Exception {
        Socket client = connect(proxy.port);
        client.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        awaitOpenSpoolFile();
        return client;
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /**
     * The spool file once it is open and unlinked (between the two it is briefly open under its
     * name); fails with what was seen when that does not happen within seconds.
     */
    private String awaitOpenSpoolFile() throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = openSpoolFile();
            if (seen != null && seen.endsWith(" (deleted)")) {
                return seen;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no open, unlinked spool file in " + uploads + "; last seen: " + seen);
    }

    /** The size of the spool file open in this JVM now; -1 when none is. */
    private long spoolFileSize() {
        Path fd = spoolFileDescriptor();
        try {
            return fd == null ? -1 : Files.size(fd);
        } catch (IOException closed) {
            return -1;
        }
    }

    /** The target of this JVM's descriptor open on a spool file in {@link #uploads}, or null. */
    private String openSpoolFile() {
        Path fd = spoolFileDescriptor();
        try {
            return fd == null ? null : Files.readSymbolicLink(fd).toString();
        } catch (IOException closed) {
            return null;
        }
    }

    /** This JVM's descriptor (under /proc/self/fd) open on a spool file in {@link #uploads}, or null. */
    private Path spoolFileDescriptor() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith(uploads.toString())) {
                        return fd;
                    }
                } catch (IOException gone) {
                    // Closed while we looked.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
