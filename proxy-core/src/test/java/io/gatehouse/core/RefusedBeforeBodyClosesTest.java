package io.gatehouse.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request refused before its body was read (413 for a body over
 * {@code server.max-request-size}) is answered once and its connection closes: what follows its
 * head may be body or a next request, and a request hidden in an unread body must never run.
 * Headers that collide as CGI variables are found once the body is read whole (before a backend
 * is contacted): the 400 then leaves the connection's framing certain, and the next request on
 * it is served as itself, never taken from the refused body.
 */
class RefusedBeforeBodyClosesTest {

    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.1 (\\d{3}) ");
    private static final String NEXT = "GET /env?smuggled HTTP/1.1\r\nHost: t\r\n\r\n";

    @ParameterizedTest
    @EnumSource(value = TestBackend.Kind.class, names = {"FASTCGI_UNIX", "SCGI_UNIX"})
    void aBodyOverTheLimitIs413AndClosesAndTheNextRequestNeverRuns(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind, b -> b, s -> s.maxRequestSizeBytes(1024))) {
            String body = "x".repeat(2000);
            String answer = exchange(proxy.port, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body + NEXT);
            assertAnsweredOnceAndClosed(413, answer);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestBackend.Kind.class, names = {"FASTCGI_UNIX", "SCGI_UNIX"})
    void headersThatCollideAre400AfterTheBodyAndTheNextRequestIsServedAsItself(TestBackend.Kind kind)
            throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            String body = "GET /env?smuggled HTTP/1.1\r\nHost: t\r\n\r\n";
            String answer = exchange(proxy.port, "POST /env HTTP/1.1\r\nHost: t\r\nUser_Agent: x\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body
                    + "GET /env?next HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            Matcher m = STATUS_LINE.matcher(answer);
            assertTrue(m.find() && m.group(1).equals("400"), answer);
            assertTrue(m.find() && m.group(1).equals("200"), answer);
            assertFalse(m.find(), answer);
            assertTrue(answer.contains("QUERY_STRING=next"), answer);
            assertFalse(answer.contains("smuggled"), "the refused body never runs as a request\n" + answer);
        }
    }

    private static void assertAnsweredOnceAndClosed(int status, String answer) {
        Matcher m = STATUS_LINE.matcher(answer);
        assertTrue(m.find(), answer);
        assertEquals(status, Integer.parseInt(m.group(1)), answer);
        assertFalse(m.find(), "a second answer: the next request ran\n" + answer);
        assertFalse(answer.contains("smuggled"), answer);
    }

    /** Everything answered until the server closes; fails if it keeps the connection open 5 s. */
    private static String exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection stayed open after: " + out.toString(StandardCharsets.ISO_8859_1));
            } catch (IOException reset) {
                // closed by a reset: closed all the same
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
