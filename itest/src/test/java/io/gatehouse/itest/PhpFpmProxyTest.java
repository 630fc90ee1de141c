package io.gatehouse.itest;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.Curl;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.HttpClients;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.PhpFpmPool;
import io.gatehouse.itest.support.PhpScripts;
import io.gatehouse.itest.support.ProcessTree;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The built jar in front of a real PHP-FPM pool, driven by real clients (the JDK HttpClient and
 * curl): routing by suffix, the index file, the CGI variables PHP sees, bodies both ways at
 * 100 MiB through a 64 MiB heap, status codes, static files and the access log.
 */
@ExtendWith(LeakCheck.class)
class PhpFpmProxyTest {

    /** Larger than the whole heap (and the direct memory, which defaults to it): held whole, it fails. */
    private static final int BIG_BODY = 100 * 1024 * 1024;
    /** A heap that one body held whole would exhaust. */
    private static final int HEAP_MIB = 64;
    /**
     * Peak RSS may grow during the transfers by a quarter of the body at most: measured 0.2-1.6 MiB
     * here, once 8.6 MiB on a loaded machine (probably the JIT compiling during the transfer: its
     * memory counts in the peak). Holding a body would add its 100 MiB. The peak itself is not compared with a limit:
     * what the JVM commits beside its heap follows the machine (G1's tables grow with its memory:
     * 39 MB of a 110 MB idle process on a 24 GiB machine), not gatehouse.
     */
    private static final long MAX_RSS_GROWTH_KIB = BIG_BODY / 1024 / 4;
    /** The access log is written after the response; a line appears within moments. */
    private static final Duration LOG_WAIT = Duration.ofSeconds(5);
    /** curl gives up waiting for {@code 100 Continue} after one second and sends the body anyway. */
    private static final Duration CONTINUE_WAIT = Duration.ofSeconds(1);
    private static final int CONNECT_TIMEOUT_MILLIS = 2000;
    private static final String STATIC_TEXT = "served by gatehouse itself, not by PHP\n";
    /** lighttpd's combined format: {@code %h %V %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"}. */
    private static final String COMBINED_PREFIX =
            "127\\.0\\.0\\.1 127\\.0\\.0\\.1:%d - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\] ";

    private static Path dir;
    private static Path docroot;
    private static PhpFpmPool pool;
    private static GatehouseProcess gatehouse;
    private static int port;

    @BeforeAll
    static void start() throws IOException {
        dir = TempDirs.create("gh-php");
        LeakCheck.expectGone(dir);
        docroot = Files.createDirectory(dir.resolve("www"));
        PhpScripts.copyInto(docroot);
        Files.writeString(docroot.resolve("static.txt"), STATIC_TEXT);
        pool = PhpFpmPool.start(2);
        LeakCheck.expectGone(pool.directory());
        port = FreePort.get();
        Path conf = ConfigFiles.phpBackend(dir, port, docroot, "php-fpm", pool.socketPath());
        gatehouse = GatehouseProcess.start(conf, port, List.of("-Xmx" + HEAP_MIB + "m"));
    }

    @AfterAll
    static void stop() {
        try (PhpFpmPool p = pool; GatehouseProcess g = gatehouse) {
            // Closed in reverse order: gatehouse first, then the pool it talks to.
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    private static String logs() {
        return gatehouse.logTail() + LogFiles.tail(List.of(dir.resolve(ConfigFiles.ERROR_LOG)));
    }

    @ParameterizedTest
    @EnumSource(Reply.Client.class)
    void helloComesFromPhp(Reply.Client client) throws IOException, InterruptedException {
        Reply reply = client.get(port, "/hello.php");

        assertEquals(200, reply.status(), reply + logs());
        assertEquals(PhpScripts.HELLO_BODY + "\n", reply.body());
        assertTrue(reply.header("Content-Type").orElse("").startsWith("text/plain"), reply.toString());
    }

    @ParameterizedTest
    @EnumSource(Reply.Client.class)
    void aPageThatArrivesWholeGetsAContentLength(Reply.Client client) throws IOException, InterruptedException {
        // PHP writes a small page and END_REQUEST in one go: as lighttpd, gatehouse then knows the length.
        Reply reply = client.get(port, "/hello.php");

        assertEquals(200, reply.status(), reply + logs());
        assertEquals(Optional.of(String.valueOf(PhpScripts.HELLO_BODY.length() + 1)), reply.header("Content-Length"),
                reply.toString());
        assertEquals(Optional.empty(), reply.header("Transfer-Encoding"), reply.toString());
    }

    @Test
    void anHttp10ClientKeepsItsConnectionForAWholePage() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 2; i++) {
                socket.getOutputStream().write("GET /hello.php HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String head = readHead(in);
                assertTrue(head.startsWith("HTTP/1.0 200"), head);
                assertTrue(head.contains("\r\nContent-Length: " + (PhpScripts.HELLO_BODY.length() + 1) + "\r\n"), head);
                assertTrue(head.toLowerCase(Locale.ROOT).contains("\r\nconnection: keep-alive\r\n"), head);
                assertEquals(PhpScripts.HELLO_BODY + "\n", new String(in.readNBytes(PhpScripts.HELLO_BODY.length() + 1),
                        StandardCharsets.US_ASCII));
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while (!head.toString().endsWith("\r\n\r\n")) {
            b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside the response head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @ParameterizedTest
    @EnumSource(Reply.Client.class)
    void slashServesTheIndexFileThroughPhp(Reply.Client client) throws IOException, InterruptedException {
        Reply reply = client.get(port, "/");

        assertEquals(200, reply.status(), reply + logs());
        assertEquals(PhpScripts.INDEX_BODY + "\n", reply.body());
    }

    @Test
    void formPostIsDecodedByPhp() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClients.post(port, "/post.php", "application/x-www-form-urlencoded",
                "name=gate+house&list%5B%5D=a&list%5B%5D=b&amp=%26%3D");

        assertEquals(200, response.statusCode(), response.body() + logs());
        assertEquals("name=gate house\nlist[0]=a\nlist[1]=b\namp=&=\n", response.body());
    }

    @Test
    void queryStringAndRequestUriArriveRaw() throws IOException, InterruptedException {
        Reply reply = Reply.Client.JDK.get(port, "/env.php?q=a%20b&x=1&empty=");

        assertEquals(200, reply.status(), reply + logs());
        Map<String, String> env = reply.variables();
        assertEquals("q=a%20b&x=1&empty=", env.get("QUERY_STRING"), reply.body());
        assertEquals("/env.php?q=a%20b&x=1&empty=", env.get("REQUEST_URI"), reply.body());
        assertEquals("/env.php", env.get("SCRIPT_NAME"), reply.body());
        assertEquals(docroot.resolve("env.php").toString(), env.get("SCRIPT_FILENAME"), reply.body());
        assertEquals("GET", env.get("REQUEST_METHOD"), reply.body());
        assertFalse(env.containsKey("PATH_INFO"), "no PATH_INFO without a path after the script: " + reply.body());
        assertFalse(env.containsKey("PATH_TRANSLATED"), reply.body());
    }

    @ParameterizedTest
    @EnumSource(Reply.Client.class)
    void pathInfoIsSplitAtTheScript(Reply.Client client) throws IOException, InterruptedException {
        Reply reply = client.get(port, "/pathinfo.php/a/b");

        assertEquals(200, reply.status(), reply + logs());
        assertEquals("SCRIPT_NAME=/pathinfo.php\nPATH_INFO=/a/b\n", reply.body());
    }

    @Test
    void pathTranslatedIsTheDocumentRootPlusPathInfo() throws IOException, InterruptedException {
        Reply reply = Reply.Client.JDK.get(port, "/env.php/a/b");

        assertEquals(200, reply.status(), reply + logs());
        Map<String, String> env = reply.variables();
        assertEquals("/env.php", env.get("SCRIPT_NAME"), reply.body());
        assertEquals("/a/b", env.get("PATH_INFO"), reply.body());
        assertEquals(docroot + "/a/b", env.get("PATH_TRANSLATED"), reply.body());
        assertEquals(docroot.resolve("env.php").toString(), env.get("SCRIPT_FILENAME"), reply.body());
    }

    @Test
    void theProxyHeaderNeverReachesPhp() {
        Curl.Response response = Curl.request(HttpClients.uri(port, "/env.php"),
                "-H", "Proxy: http://evil/", "-H", "X-Probe: present");

        Map<String, String> env = Reply.of(response).variables();
        assertEquals(200, response.status(), response.text() + logs());
        assertEquals("present", env.get("HTTP_X_PROBE"), "other headers arrive: " + response.text());
        assertFalse(env.containsKey("HTTP_PROXY"), "httpoxy: " + response.text());
    }

    @Test
    void aHundredMebibytesStreamBothWaysThroughASmallerHeap() throws IOException, InterruptedException {
        // Warm the path up first, so that JIT and lazily loaded classes are not counted as growth.
        upload(randomBytes(1024 * 1024, 1));
        download(1024 * 1024);
        long before = ProcessTree.peakRssKib(gatehouse.pid());

        upload(randomBytes(BIG_BODY, 2));
        download(BIG_BODY);

        long peak = ProcessTree.peakRssKib(gatehouse.pid());
        System.out.printf("gatehouse -Xmx%dm peak RSS: %d KiB before, %d KiB after two 100 MiB transfers%n",
                HEAP_MIB, before, peak);
        assertTrue(peak - before < MAX_RSS_GROWTH_KIB, "peak RSS grew by " + (peak - before)
                + " KiB during the transfers (" + before + " -> " + peak + "), limit " + MAX_RSS_GROWTH_KIB
                + " KiB: is a body held in memory?");
        assertTrue(gatehouse.isAlive(), logs());
    }

    private static void upload(byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClients.client().send(HttpClients.request(port, "/upload.php")
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode(), response.body() + logs());
        assertEquals("length=" + body.length + " sha256=" + sha256(body) + "\n", response.body());
    }

    private static void download(int bytes) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HttpClients.getBytes(port, "/download.php?bytes=" + bytes);
        assertEquals(200, response.statusCode(), logs());
        assertEquals(bytes, response.body().length, "download length");
        assertEquals(-1, PhpScripts.firstDownloadMismatch(response.body()), "offset of the first wrong byte");
    }

    @Test
    void chunkedUploadFromCurlArrivesWhole() throws IOException {
        byte[] body = randomBytes(3 * 1024 * 1024 + 7, 3);
        Path file = Files.write(dir.resolve("chunked.bin"), body);
        try {
            Curl.Response response = Curl.request(HttpClients.uri(port, "/upload.php"),
                    "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/octet-stream",
                    "--data-binary", "@" + file);

            assertEquals(200, response.status(), response.text() + logs());
            assertEquals("length=" + body.length + " sha256=" + sha256(body) + "\n", response.text());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aChunkedUploadReachesTheApplicationWithItsLengthAndWithoutTransferEncoding() {
        Curl.Response response = Curl.request(HttpClients.uri(port, "/env.php"),
                "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/octet-stream",
                "--data-binary", "hello, chunked");

        Map<String, String> env = Reply.of(response).variables();
        assertEquals(200, response.status(), response.text() + logs());
        assertEquals("14", env.get("CONTENT_LENGTH"), response.text());
        assertFalse(env.containsKey("HTTP_TRANSFER_ENCODING"),
                "the body arrives whole, with its length, as lighttpd sends it: " + response.text());
    }

    @Test
    void expect100ContinueIsAnsweredBeforeTheBodyIsSent() throws IOException {
        byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout((int) CONTINUE_WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload.php HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + body.length + "\r\n"
                    + "Expect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String first;
            try {
                first = in.readLine();
            } catch (SocketTimeoutException e) {
                first = "<nothing within " + CONTINUE_WAIT + ">";
            }
            // curl waits one second for the interim response before it sends a body anyway.
            assertEquals("HTTP/1.1 100 Continue", first, "answer to Expect: 100-continue" + logs());
        }
    }

    @ParameterizedTest
    @EnumSource(Reply.Client.class)
    void aStatusLineFromPhpIsKept(Reply.Client client) throws IOException, InterruptedException {
        Reply reply = client.get(port, "/status.php?code=418");

        assertEquals(418, reply.status(), reply + logs());
        assertEquals("status 418\n", reply.body());
    }

    @ParameterizedTest
    @EnumSource(Reply.Client.class)
    void aLocationWithoutStatusIsA302(Reply.Client client) throws IOException, InterruptedException {
        Reply reply = client.get(port, "/redirect.php");

        assertEquals(302, reply.status(), reply + logs());
        assertEquals("/hello.php", reply.header("Location").orElse(null), reply.toString());
    }

    @ParameterizedTest
    @EnumSource(Reply.Client.class)
    void aMissingScriptIs404WithoutAskingPhp(Reply.Client client) throws IOException, InterruptedException {
        Reply reply = client.get(port, "/no-such-page.php");

        assertEquals(404, reply.status(), reply + logs());
        // php-fpm answers a missing script with "File not found." and "Primary script unknown".
        assertFalse(reply.body().contains("File not found."), reply.toString());
        assertFalse(LogFiles.read(dir.resolve(ConfigFiles.ERROR_LOG)).contains("Primary script unknown"), logs());
    }

    @ParameterizedTest
    @EnumSource(Reply.Client.class)
    void aTextFileIsServedStatically(Reply.Client client) throws IOException, InterruptedException {
        Reply reply = client.get(port, "/static.txt");

        assertEquals(200, reply.status(), reply + logs());
        assertEquals(STATIC_TEXT, reply.body());
        assertTrue(reply.header("Content-Type").orElse("").startsWith("text/plain"), reply.toString());
    }

    @Test
    void theAccessLogGetsOneCombinedLinePerRequest() {
        String tag = Long.toString(System.nanoTime());
        String referer = "http://referer.example/" + tag;
        String agent = "e2e-agent/" + tag;
        List<String> paths = List.of("/hello.php?log=" + tag, "/no-such-page.php?log=" + tag,
                "/static.txt?log=" + tag);
        List<Integer> statuses = List.of(200, 404, 200);
        for (int i = 0; i < paths.size(); i++) {
            Curl.Response response = Curl.request(HttpClients.uri(port, paths.get(i)), "-e", referer, "-A", agent);
            assertEquals(statuses.get(i), response.status(), paths.get(i) + ": " + response.text() + logs());
        }
        Curl.Response posted = Curl.request(HttpClients.uri(port, "/post.php?log=" + tag), "-e", referer, "-A", agent,
                "--data", "k=v");
        assertEquals("k=v\n", posted.text());

        List<String> lines = awaitLogLines(tag, paths.size() + 1);
        String prefix = String.format(COMBINED_PREFIX, port);
        String suffix = " \"" + Pattern.quote(referer) + "\" \"" + Pattern.quote(agent) + "\"";
        List<String> expected = List.of(
                prefix + Pattern.quote("\"GET " + paths.get(0) + " HTTP/1.1\" 200 ")
                        + (PhpScripts.HELLO_BODY.length() + 1) + suffix,
                prefix + Pattern.quote("\"GET " + paths.get(1) + " HTTP/1.1\" 404 ") + "(\\d+|-)" + suffix,
                prefix + Pattern.quote("\"GET " + paths.get(2) + " HTTP/1.1\" 200 ") + STATIC_TEXT.length() + suffix,
                prefix + Pattern.quote("\"POST /post.php?log=" + tag + " HTTP/1.1\" 200 4") + suffix);
        assertEquals(expected.size(), lines.size(), "one line per request:\n" + String.join("\n", lines));
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(Pattern.matches(expected.get(i), lines.get(i)),
                    "line " + i + " '" + lines.get(i) + "' does not match " + expected.get(i));
        }
    }

    /** The access log lines that mention {@code tag}, once at least {@code count} are there. */
    private static List<String> awaitLogLines(String tag, int count) {
        Path accessLog = dir.resolve(ConfigFiles.ACCESS_LOG);
        long deadline = System.nanoTime() + LOG_WAIT.toNanos();
        List<String> lines = tagged(accessLog, tag);
        while (lines.size() < count && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(50));
            lines = tagged(accessLog, tag);
        }
        if (lines.size() < count) {
            fail(count + " lines with '" + tag + "' expected in " + accessLog + ", found:\n"
                    + String.join("\n", lines) + "\n" + LogFiles.tail(List.of(accessLog)));
        }
        return lines;
    }

    private static List<String> tagged(Path file, String tag) {
        return LogFiles.read(file).lines().filter(line -> line.contains(tag)).collect(Collectors.toList());
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
