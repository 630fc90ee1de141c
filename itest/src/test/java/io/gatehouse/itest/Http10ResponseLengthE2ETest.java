package io.gatehouse.itest;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.PhpCgiGatehouse;
import io.gatehouse.itest.support.PhpScripts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/1.0 has no chunked encoding: a dynamic response that arrives without a length is held,
 * up to 64 KiB, and sent with a Content-Length, as lighttpd sends it, so an HTTP/1.0 keep-alive
 * connection stays open; a larger one is streamed and the close ends it. Raw sockets against the
 * built jar (started by {@code bin/gatehouse}) in front of php-cgi spawned by bin-path; GET and
 * POST (a request with a body, read whole first) must agree.
 */
@ExtendWith(LeakCheck.class)
class Http10ResponseLengthE2ETest {

    /** The most gatehouse holds for an HTTP/1.0 client ({@code Http10LengthBuffer.LIMIT}). */
    private static final int LIMIT = 64 * 1024;
    private static final int TIMEOUT_MILLIS = 15_000;

    private static PhpCgiGatehouse server;

    @BeforeAll
    static void startGatehouse() {
        server = PhpCgiGatehouse.start("gh-http10");
    }

    @AfterAll
    static void stopGatehouse() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void aSmallBodyInSeveralPiecesGetsAContentLengthAndTheConnectionCloses(String method) throws IOException {
        try (Socket socket = connect()) {
            send(socket, method, "/pieces.php?n=3&bytes=10&ms=100", false);
            Response response = read(socket.getInputStream());
            assertEquals(200, response.status(), response.toString());
            assertEquals("30", response.header("content-length"), response.toString());
            assertEquals("a".repeat(10) + "b".repeat(10) + "c".repeat(10), response.body());
            assertTrue(closedAfter(socket.getInputStream()), "an HTTP/1.0 request without keep-alive closes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void aSmallBodyKeepsAnHttp10KeepAliveConnectionOpen(String method) throws IOException {
        try (Socket socket = connect()) {
            for (int request = 1; request <= 3; request++) {
                send(socket, method, "/pieces.php?n=2&bytes=5&ms=50", true);
                Response response = read(socket.getInputStream());
                assertEquals(200, response.status(), "request " + request + ": " + response);
                assertEquals("10", response.header("content-length"), response.toString());
                assertEquals("keep-alive", response.header("connection").toLowerCase(Locale.ROOT), response.toString());
                assertEquals("aaaaabbbbb", response.body(), "request " + request);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void aBodyOfExactlyTheLimitStillGetsALength(String method) throws IOException {
        try (Socket socket = connect()) {
            send(socket, method, "/pieces.php?n=4&bytes=" + LIMIT / 4 + "&ms=50", true);
            Response response = read(socket.getInputStream());
            assertEquals(String.valueOf(LIMIT), response.header("content-length"), response.toString());
            assertEquals(LIMIT, response.body().length());
            assertEquals("keep-alive", response.header("connection").toLowerCase(Locale.ROOT), response.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void aBodyOverTheLimitIsStreamedAndTheCloseEndsItEvenWithKeepAlive(String method) throws IOException {
        int pieces = 5;
        int pieceBytes = LIMIT / 4 + 1;
        try (Socket socket = connect()) {
            send(socket, method, "/pieces.php?n=" + pieces + "&bytes=" + pieceBytes + "&ms=50", true);
            Response response = read(socket.getInputStream());
            assertEquals(200, response.status(), response.toString());
            assertNull(response.header("content-length"), response.toString());
            assertNull(response.header("transfer-encoding"), "HTTP/1.0 has no chunked encoding: " + response);
            assertEquals(pieces * pieceBytes, response.body().length());
            for (int i = 0; i < pieces; i++) {
                String piece = response.body().substring(i * pieceBytes, (i + 1) * pieceBytes);
                assertEquals(String.valueOf((char) ('a' + i)).repeat(pieceBytes), piece, "piece " + i);
            }
            assertTrue(response.closed(), "the close delimits the body");
        }
    }

    @Test
    void aLargeDownloadStillStreamsWholeToAnHttp10Client() throws IOException {
        int bytes = 3 * 1024 * 1024;
        try (Socket socket = connect()) {
            send(socket, "GET", "/download.php?bytes=" + bytes, false);
            Response response = read(socket.getInputStream());
            assertNull(response.header("content-length"), response.toString());
            assertEquals(bytes, response.body().length());
            assertEquals(-1, PhpScripts.firstDownloadMismatch(response.body().getBytes(StandardCharsets.ISO_8859_1)));
        }
    }

    @Test
    void http11KeepAliveStillStreamsChunked() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /pieces.php?n=3&bytes=10&ms=100 HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String head = readHead(socket.getInputStream()).toLowerCase(Locale.ROOT);
            assertTrue(head.contains("\r\ntransfer-encoding: chunked"), head);
            assertFalse(head.contains("\r\ncontent-length:"), head);
        }
    }

    // --- raw HTTP ----------------------------------------------------------------------------

    /** One response: status, headers by lower-case name, body (one char per byte), and whether EOF ended it. */
    private record Response(int status, Map<String, String> headers, String body, boolean closed) {

        String header(String name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return status + " " + headers + " body " + body.length() + " bytes" + (closed ? ", closed" : "");
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return socket;
    }

    /** An HTTP/1.0 request; a POST carries a small form body. */
    private static void send(Socket socket, String method, String target, boolean keepAlive) throws IOException {
        String body = method.equals("POST") ? "k=v" : "";
        String request = method + " " + target + " HTTP/1.0\r\nHost: x\r\n"
                + (keepAlive ? "Connection: keep-alive\r\n" : "")
                + (body.isEmpty() ? "" : "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                        + body.length() + "\r\n")
                + "\r\n" + body;
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads one response: by its Content-Length when it has one (to EOF if shorter, as for HEAD), else to EOF. */
    private static Response read(InputStream in) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        if (length != null) {
            byte[] body = in.readNBytes(Integer.parseInt(length));
            return new Response(status, headers, new String(body, StandardCharsets.ISO_8859_1), false);
        }
        byte[] body = in.readAllBytes();
        return new Response(status, headers, new String(body, StandardCharsets.ISO_8859_1), true);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside the response head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    /** True when the server closes the connection with no further byte. */
    private static boolean closedAfter(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }
}
