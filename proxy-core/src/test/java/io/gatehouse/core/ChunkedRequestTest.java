package io.gatehouse.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chunked request bodies are framed exactly: what lighttpd refuses is 400 and closes the
 * connection, and what follows a well-framed body on the connection is the next request.
 */
class ChunkedRequestTest {

    private static final String HEAD = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";

    @ParameterizedTest
    @ValueSource(strings = {
        "4\r\nDATAjunk\r\n0\r\n\r\n",           // junk after chunk data (Undertow took it as DATA)
        "4\r\nDATA0\r\n\r\n",                   // no line end after the data
        "4x\r\nDATA\r\n0\r\n\r\n",              // junk after the size
        "g\r\nDATA\r\n0\r\n\r\n",               // not a hex size
        "10000000000000000\r\nx\r\n0\r\n\r\n",  // a size of 17 hex digits (Undertow's wraps)
        "4\rDATA\r\n0\r\n\r\n",                 // CR without LF
    })
    void malformedChunkFramingIs400AndCloses(String body) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX)) {
            String answer = exchange(proxy.port, HEAD + body + "GET /status?code=200 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertEquals(1, count(answer, "HTTP/1.1 "), "the bytes after it are never a request: " + answer);
            assertTrue(answer.endsWith("<EOF>"), "closed: " + answer);
        }
    }

    @Test
    void theRequestAfterAChunkedBodyIsServedOnTheSameConnection() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX)) {
            String answer = exchange(proxy.port, HEAD + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
                    + "GET /status?code=201 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertTrue(answer.contains("length=11 "), answer);
            assertTrue(answer.contains("HTTP/1.1 201 "), "the pipelined request ran: " + answer);
        }
    }

    /** Head, body and the next request in one packet: the bytes past the body go back to the connection. */
    @ParameterizedTest
    @ValueSource(strings = {"5\r\nhello\r\n0\r\n\r\n", "5;ext=1\r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0\r\nX-T: t\r\n\r\n", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"})
    void aRequestThatArrivedWithTheBodyIsServedAfterIt(String body) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX)) {
            String answer = exchange(proxy.port, HEAD + body + "GET /status?code=201 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.contains(" 201 "), "[" + answer + "]");
        }
    }

    @Test
    void aChunkedBodyFedByteByByteIsRead() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX);
                Socket socket = connect(proxy.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(HEAD.getBytes(StandardCharsets.ISO_8859_1));
            for (byte b : "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)) {
                out.write(b);
                out.flush();
                Thread.sleep(2);
            }
            out.write("GET /status?code=202 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = readAll(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.contains("length=5 "), answer);
            assertTrue(answer.contains("HTTP/1.1 202 "), answer);
        }
    }

    @Test
    void expectContinueIsAnsweredBeforeAChunkedBody() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(TestBackend.Kind.FASTCGI_UNIX);
                Socket socket = connect(proxy.port)) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] interim = new byte[25];
            int n = socket.getInputStream().readNBytes(interim, 0, interim.length);
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(interim, 0, n, StandardCharsets.ISO_8859_1));
            out.write("3\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write("GET /status?code=200 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = readAll(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.contains("length=3 "), answer);
        }
    }

    private static String exchange(int port, String request) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readAll(socket.getInputStream());
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(3000);
        return socket;
    }

    /** Everything until EOF (marked {@code <EOF>}) or 3 s of silence. */
    private static String readAll(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            text.append("<EOF>");
        } catch (SocketTimeoutException quiet) {
            // Still open.
        } catch (IOException reset) {
            text.append("<EOF>");
        }
        return text.toString();
    }

    private static int count(String text, String what) {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            count++;
        }
        return count;
    }
}
