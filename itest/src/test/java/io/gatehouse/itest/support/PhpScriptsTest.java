package io.gatehouse.itest.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PHP pages behave as {@link PhpScripts} documents, served by a real php-fpm pool. */
@ExtendWith(LeakCheck.class)
class PhpScriptsTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private static Path docroot;
    private static PhpFpmPool pool;

    @BeforeAll
    static void startPool() {
        docroot = PhpScripts.copyInto(TempDirs.create("gh-doc"));
        LeakCheck.expectGone(docroot);
        pool = PhpFpmPool.start(2);
    }

    @AfterAll
    static void stopPool() {
        try {
            if (pool != null) {
                pool.close();
            }
        } finally {
            TempDirs.deleteRecursively(docroot);
        }
    }

    private static RawFastCgi.Reply send(Map<String, String> params, byte[] body) throws IOException {
        RawFastCgi.Reply reply = RawFastCgi.request(pool.socketPath(), params, body, REQUEST_TIMEOUT);
        assertEquals(0, reply.protocolStatus());
        assertEquals("", reply.stderr(), "PHP wrote to stderr");
        return reply;
    }

    private static RawFastCgi.Reply get(String script, String query) throws IOException {
        return send(RawFastCgi.cgiParams(docroot, "GET", script, "", query, 0), new byte[0]);
    }

    private static String body(RawFastCgi.Reply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    /** The CGI header block of the reply, one header per line. */
    private static List<String> headers(RawFastCgi.Reply reply) {
        String text = reply.stdoutText();
        return List.of(text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n"));
    }

    @Test
    void everyPageIsCopied() {
        for (String name : PhpScripts.NAMES) {
            assertTrue(Files.isRegularFile(docroot.resolve(name)), name);
        }
    }

    @Test
    void hello() throws IOException {
        assertEquals(PhpScripts.HELLO_BODY + "\n", body(get("/hello.php", "")));
    }

    @Test
    void index() throws IOException {
        assertEquals(PhpScripts.INDEX_BODY + "\n", body(get("/index.php", "")));
    }

    @Test
    void envPrintsTheCgiVariablesSortedAndNothingElse() throws IOException {
        Map<String, String> params = RawFastCgi.cgiParams(docroot, "GET", "/env.php", "/extra", "a=1", 0);
        params.put("HTTP_X_CUSTOM", "yes");
        params.put("HTTPS", "on");
        params.put("NOT_A_CGI_VARIABLE", "hidden");

        List<String> lines = List.of(body(send(params, new byte[0])).split("\n"));

        assertEquals(lines.stream().sorted().toList(), lines, "sorted");
        assertTrue(lines.contains("REQUEST_URI=/env.php/extra?a=1"), lines.toString());
        assertTrue(lines.contains("SCRIPT_NAME=/env.php"), lines.toString());
        assertTrue(lines.contains("PATH_INFO=/extra"), lines.toString());
        assertTrue(lines.contains("QUERY_STRING=a=1"), lines.toString());
        assertTrue(lines.contains("CONTENT_LENGTH=0"), lines.toString());
        assertTrue(lines.contains("HTTP_X_CUSTOM=yes"), lines.toString());
        assertTrue(lines.contains("HTTPS=on"), lines.toString());
        assertTrue(lines.contains("SERVER_PORT=80"), lines.toString());
        assertTrue(lines.contains("REMOTE_ADDR=127.0.0.1"), lines.toString());
        assertTrue(lines.contains("SCRIPT_FILENAME=" + docroot + "/env.php"), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("NOT_A_CGI_VARIABLE")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("REQUEST_TIME")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("PATH=")), "worker environment left out");
    }

    @Test
    void postEchoesTheFormFieldsInOrder() throws IOException {
        byte[] form = "b=two&a=1&list%5B%5D=x&list%5B%5D=y&sp=a+b".getBytes(StandardCharsets.US_ASCII);
        Map<String, String> params = RawFastCgi.cgiParams(docroot, "POST", "/post.php", "", "", form.length);
        params.put("CONTENT_TYPE", "application/x-www-form-urlencoded");

        assertEquals("b=two\na=1\nlist[0]=x\nlist[1]=y\nsp=a b\n", body(send(params, form)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_535, 65_536, 9 * 1024 * 1024})
    void uploadReportsLengthAndSha256(int length) throws Exception {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        Map<String, String> params = RawFastCgi.cgiParams(docroot, "POST", "/upload.php", "", "", length);
        params.put("CONTENT_TYPE", "application/octet-stream");

        String expected = "length=" + length + " sha256="
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)) + "\n";
        assertEquals(expected, body(send(params, data)), "bodies above 8 MiB need post_max_size lifted");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 250, 251, 65_536, 65_537, 200_000})
    void downloadStreamsThePattern(int bytes) throws IOException {
        RawFastCgi.Reply reply = get("/download.php", "bytes=" + bytes);
        byte[] body = reply.body();
        assertEquals(bytes, body.length);
        assertEquals(-1, PhpScripts.firstDownloadMismatch(body));
        assertFalse(headers(reply).stream().anyMatch(h -> h.toLowerCase().startsWith("content-length")),
                headers(reply).toString());

        RawFastCgi.Reply withLength = get("/download.php", "bytes=" + bytes + "&cl=1");
        assertTrue(headers(withLength).contains("Content-Length: " + bytes), headers(withLength).toString());
        assertEquals(bytes, withLength.body().length);
    }

    @Test
    void downloadMismatchIsFound() {
        byte[] body = new byte[600];
        for (int i = 0; i < body.length; i++) {
            body[i] = PhpScripts.downloadByte(i);
        }
        assertEquals(-1, PhpScripts.firstDownloadMismatch(body));
        body[502]++;
        assertEquals(502, PhpScripts.firstDownloadMismatch(body));
    }

    @Test
    void statusSetsTheStatusLine() throws IOException {
        RawFastCgi.Reply notFound = get("/status.php", "code=404");
        assertEquals("Status: 404 Not Found", headers(notFound).get(0));
        assertEquals("status 404\n", body(notFound));

        RawFastCgi.Reply noContent = get("/status.php", "code=204");
        assertEquals("Status: 204 No Content", headers(noContent).get(0));
        assertEquals("", body(noContent));
    }

    @Test
    void redirectSendsLocationWithoutStatus() throws IOException {
        List<String> headers = headers(get("/redirect.php", ""));
        assertTrue(headers.contains("Location: /hello.php"), headers.toString());
        assertFalse(headers.stream().anyMatch(h -> h.startsWith("Status")), headers.toString());
    }

    @Test
    void slowSleepsThenAnswers() throws IOException {
        long start = System.nanoTime();
        assertEquals("slept 300\n", body(get("/slow.php", "ms=300")));
        assertTrue(System.nanoTime() - start >= 300_000_000L, "took at least 300 ms");
    }

    @Test
    void piecesArriveAsSeveralFlushesWithoutALength() throws IOException {
        long start = System.nanoTime();
        RawFastCgi.Reply reply = get("/pieces.php", "n=3&bytes=4&ms=100");
        assertEquals("aaaabbbbcccc", body(reply));
        assertFalse(headers(reply).stream().anyMatch(h -> h.startsWith("Content-Length")), headers(reply).toString());
        assertTrue(System.nanoTime() - start >= 200_000_000L, "slept between the pieces");
    }

    @Test
    void pathinfoShowsTheSplit() throws IOException {
        Map<String, String> params = RawFastCgi.cgiParams(docroot, "GET", "/pathinfo.php", "/a/b", "", 0);
        assertEquals("SCRIPT_NAME=/pathinfo.php\nPATH_INFO=/a/b\n", body(send(params, new byte[0])));
        assertEquals("SCRIPT_NAME=/pathinfo.php\nPATH_INFO=\n", body(get("/pathinfo.php", "")));
    }
}
