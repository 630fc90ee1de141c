package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The proxy path end to end, the same for FastCGI over unix and TCP, SCGI and uwsgi. */
class GatewayTest {

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void sendsTheCgiEnvironmentInLighttpdOrder(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            RawHttp.Response response = RawHttp.exchange(proxy.port, "GET /env?a=1&b=%20 HTTP/1.1\r\n"
                    + "Host: example.test:" + proxy.port + "\r\n"
                    + "X-Custom: custom value\r\nX-Empty:\r\nProxy: http://evil.test/\r\n"
                    + "Content-Type: text/x-test\r\nConnection: close\r\n\r\n", null);
            assertEquals(200, response.status(), response.bodyText());
            Map<String, String> env = parseEnv(response.bodyText());
            List<String> names = List.copyOf(env.keySet());
            assertEquals("CONTENT_LENGTH", names.get(0), "CONTENT_LENGTH comes first");
            assertEquals("0", env.get("CONTENT_LENGTH"));
            assertEquals("QUERY_STRING", names.get(1));
            assertEquals("a=1&b=%20", env.get("QUERY_STRING"));
            assertEquals("/env?a=1&b=%20", env.get("REQUEST_URI"));
            assertEquals("/env", env.get("SCRIPT_NAME"));
            assertEquals("200", env.get("REDIRECT_STATUS"));
            assertEquals("GET", env.get("REQUEST_METHOD"));
            assertEquals("HTTP/1.1", env.get("SERVER_PROTOCOL"));
            assertEquals("CGI/1.1", env.get("GATEWAY_INTERFACE"));
            assertEquals("http", env.get("REQUEST_SCHEME"));
            assertEquals(Integer.toString(proxy.port), env.get("SERVER_PORT"));
            assertEquals("127.0.0.1", env.get("SERVER_ADDR"));
            assertEquals("example.test", env.get("SERVER_NAME"));
            assertEquals("127.0.0.1", env.get("REMOTE_ADDR"));
            assertTrue(Integer.parseInt(env.get("REMOTE_PORT")) > 0);
            assertEquals("custom value", env.get("HTTP_X_CUSTOM"));
            assertEquals("text/x-test", env.get("CONTENT_TYPE"));
            assertFalse(env.containsKey("HTTP_X_EMPTY"), "empty headers are skipped");
            assertFalse(env.containsKey("HTTP_PROXY"), "httpoxy: the Proxy header is never forwarded");
            assertFalse(env.containsKey("PATH_INFO"), "no PATH_INFO without one");
            assertFalse(env.containsKey("HTTPS"));
        }
    }

    /**
     * An absolute-form target reaches the application as lighttpd passes it: REQUEST_URI in origin
     * form (it used to carry the scheme and host), the host from the target when no Host header
     * came (HTTP/1.0); a Host header naming another host, and userinfo, are refused (400), as
     * lighttpd 1.4.69 refuses them.
     */
    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void anAbsoluteFormTargetIsPassedInOriginFormAndItsHostMustAgree(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            Map<String, String> env = environmentOf(proxy,
                    "GET http://good.test/env?q=1 HTTP/1.1\r\nHost: good.test\r\nConnection: close\r\n\r\n");
            assertEquals("/env?q=1", env.get("REQUEST_URI"));
            assertEquals("good.test", env.get("HTTP_HOST"));

            Map<String, String> hostFromTarget = environmentOf(proxy, "GET http://good.test:81/env HTTP/1.0\r\n\r\n");
            assertEquals("/env", hostFromTarget.get("REQUEST_URI"));
            assertEquals("good.test:81", hostFromTarget.get("HTTP_HOST"));
            assertEquals("good.test", hostFromTarget.get("SERVER_NAME"));

            for (String refused : List.of("GET http://good.test/env HTTP/1.1\r\nHost: evil.test\r\n",
                    "GET http://good.test:81/env HTTP/1.1\r\nHost: good.test\r\n",
                    "GET http://good.test@evil.test/env HTTP/1.1\r\nHost: evil.test\r\n",
                    "GET ftp://good.test/env HTTP/1.1\r\nHost: good.test\r\n")) {
                RawHttp.Response response = RawHttp.exchange(proxy.port, refused + "Connection: close\r\n\r\n", null);
                assertEquals(400, response.status(), refused);
            }
        }
    }

    /** The CGI environment the echoing backend received for {@code request}, answered with 200. */
    private static Map<String, String> environmentOf(ProxyFixture proxy, String request) throws Exception {
        RawHttp.Response response = RawHttp.exchange(proxy.port, request, null);
        assertEquals(200, response.status(), response.bodyText());
        return parseEnv(response.bodyText());
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void refusesHeadersThatCollideAsCgiVariables(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            for (String header : List.of("User_Agent: x", "X-Forwarded_For: 1.2.3.4", "X-Thing: a\r\nX_Thing: b",
                    "X_Thing: a\r\nX.Thing: b")) {
                RawHttp.Response response = RawHttp.exchange(proxy.port, "GET /env HTTP/1.1\r\nHost: t\r\n"
                        + header + "\r\nConnection: close\r\n\r\n", null);
                assertEquals(400, response.status(), header);
            }
            RawHttp.Response fine = RawHttp.exchange(proxy.port, "GET /env HTTP/1.1\r\nHost: t\r\n"
                    + "X_Lonely: ok\r\nConnection: close\r\n\r\n", null);
            assertEquals(200, fine.status());
            assertEquals("ok", parseEnv(fine.bodyText()).get("HTTP_X_LONELY"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void uploadsStreamToTheBackend(TestBackend.Kind kind) throws Exception {
        byte[] body = randomBytes(3 * 1024 * 1024 + 17);
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            HttpResponse<byte[]> response = proxy.post("/upload", body);
            assertEquals(200, response.statusCode());
            assertEquals("length=" + body.length + " sha256=" + sha256(body),
                    new String(response.body(), StandardCharsets.ISO_8859_1));
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void echoesALargeBodyWhileStillSendingIt(TestBackend.Kind kind) throws Exception {
        // The backend writes while it reads: the proxy must read the response while sending the body.
        byte[] body = randomBytes(2 * 1024 * 1024);
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            HttpResponse<byte[]> response = proxy.post("/echo", body);
            assertEquals(200, response.statusCode());
            assertArrayEquals(body, response.body());
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void chunkedUploadsGetAContentLength(TestBackend.Kind kind) throws Exception {
        byte[] body = randomBytes(200_000);
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        for (int offset = 0; offset < body.length; offset += 65_000) {
            int n = Math.min(65_000, body.length - offset);
            chunked.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunked.write(body, offset, n);
            chunked.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        chunked.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            RawHttp.Response response = RawHttp.exchange(proxy.port, "POST /upload HTTP/1.1\r\nHost: t\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", chunked.toByteArray());
            assertEquals(200, response.status(), response.bodyText());
            assertTrue(response.bodyText().endsWith("length=" + body.length + " sha256=" + sha256(body)),
                    response.bodyText());
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void downloadsStreamToTheClient(TestBackend.Kind kind) throws Exception {
        int size = 5 * 1024 * 1024 + 3;
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            HttpResponse<byte[]> response = proxy.getBytes("/download?bytes=" + size);
            assertEquals(200, response.statusCode());
            assertEquals(size, response.body().length);
            for (int i = 0; i < size; i += 4099) {
                assertEquals((byte) ((i % (251 * 64)) % 251), response.body()[i], "byte " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void mapsCgiResponseHeadsAsLighttpd(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind)) {
            HttpResponse<String> teapot = proxy.get("/status?code=418");
            assertEquals(418, teapot.statusCode());
            assertEquals("status body", teapot.body());
            assertTrue(teapot.headers().firstValue("Status").isEmpty(), "Status is never forwarded");

            HttpResponse<String> redirect = proxy.get("/location");
            assertEquals(302, redirect.statusCode(), "Location without Status is a 302");
            assertEquals("/elsewhere", redirect.headers().firstValue("Location").orElse(""));

            assertEquals(201, proxy.get("/nph").statusCode());
            assertEquals(502, proxy.get("/garbage").statusCode(), "a head line without ':' is a bad gateway");
            assertEquals(502, proxy.get("/status?code=99").statusCode(), "an invalid status is a bad gateway");
            assertEquals(500, proxy.get("/nothing").statusCode(), "no response at all is a 500");
            assertEquals(502, proxy.get("/truncated-head").statusCode(), "cut-off headers are a bad gateway");
            // The proxy and backend are still fine afterwards.
            assertEquals(200, proxy.get("/status?code=200").statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void aHangingBackendTimesOutWith504(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind, b -> b.readTimeout(Duration.ofSeconds(1)), s -> s)) {
            long start = System.nanoTime();
            HttpResponse<String> response = proxy.get("/hang?ms=4000");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, response.statusCode());
            assertTrue(millis >= 900 && millis < 3500, "answered after " + millis + " ms");
        }
    }

    @ParameterizedTest
    @EnumSource(TestBackend.Kind.class)
    void aBodyOverTheLimitIsRefusedWith413(TestBackend.Kind kind) throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(kind, b -> b, s -> s.maxRequestSizeBytes(1024))) {
            assertEquals(413, proxy.post("/upload", new byte[1025]).statusCode());
            assertEquals(200, proxy.post("/upload", new byte[1024]).statusCode());
        }
    }

    static Map<String, String> parseEnv(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) {
        MessageDigest sha = TestApp.sha256();
        return HexFormat.of().formatHex(sha.digest(bytes));
    }
}
