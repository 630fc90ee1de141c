package io.gatehouse.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.gatehouse.fcgi.Fcgi;
import io.gatehouse.fcgi.FcgiResponseGenerator;
import io.gatehouse.fcgi.ProtocolStatus;

/**
 * The inputs the codec benchmarks share: what a browser's GET of a PHP page turns into (the CGI
 * environment a front end sends) and what PHP answers (a FastCGI STDOUT stream as php-fpm writes
 * it). Sizes and names follow what lighttpd and gatehouse send for {@code GET /index.php?page=2}
 * from a current browser.
 *
 * <p>Stateless; every method builds fresh objects, so it is safe from any thread.
 */
public final class TypicalExchange {

    /** The request id the samples are framed with. */
    public static final int REQUEST_ID = 1;

    /** php-fpm writes STDOUT in records of at most this many bytes (its output buffer size). */
    private static final int PHP_RECORD_BYTES = 8192;

    private TypicalExchange() {
    }

    /** The CGI environment of one browser request for a PHP page: 30 variables, about 1.3 KiB. */
    public static Map<String, String> cgiEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        env.put("QUERY_STRING", "page=2&sort=date");
        env.put("REQUEST_URI", "/index.php?page=2&sort=date");
        env.put("REDIRECT_STATUS", "200");
        env.put("SCRIPT_NAME", "/index.php");
        env.put("SCRIPT_FILENAME", "/srv/www/example.org/htdocs/index.php");
        env.put("DOCUMENT_ROOT", "/srv/www/example.org/htdocs");
        env.put("REQUEST_METHOD", "GET");
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        env.put("SERVER_SOFTWARE", "gatehouse/0.1.0");
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("REQUEST_SCHEME", "http");
        env.put("SERVER_PORT", "80");
        env.put("SERVER_ADDR", "192.0.2.10");
        env.put("SERVER_NAME", "www.example.org");
        env.put("REMOTE_ADDR", "198.51.100.77");
        env.put("REMOTE_PORT", "53122");
        env.put("HTTP_HOST", "www.example.org");
        env.put("HTTP_USER_AGENT",
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        env.put("HTTP_ACCEPT", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        env.put("HTTP_ACCEPT_LANGUAGE", "en-GB,en;q=0.7,de;q=0.3");
        env.put("HTTP_ACCEPT_ENCODING", "gzip, deflate, br, zstd");
        env.put("HTTP_REFERER", "https://www.example.org/index.php?page=1&sort=date");
        env.put("HTTP_CONNECTION", "keep-alive");
        env.put("HTTP_COOKIE", "PHPSESSID=9d2a7c1e0f6b4a3d8e5c7b9a1f2e3d4c; theme=dark; consent=1");
        env.put("HTTP_UPGRADE_INSECURE_REQUESTS", "1");
        env.put("HTTP_SEC_FETCH_DEST", "document");
        env.put("HTTP_SEC_FETCH_MODE", "navigate");
        env.put("HTTP_SEC_FETCH_SITE", "same-origin");
        env.put("HTTP_SEC_FETCH_USER", "?1");
        return Collections.unmodifiableMap(env);
    }

    /** The head of a PHP response as PHP's CGI SAPI writes it (session start, HTML page). */
    public static byte[] phpResponseHead() {
        return ("X-Powered-By: PHP/8.2.36\r\n"
                + "Set-Cookie: PHPSESSID=9d2a7c1e0f6b4a3d8e5c7b9a1f2e3d4c; path=/; HttpOnly; SameSite=Lax\r\n"
                + "Expires: Thu, 19 Nov 1981 08:52:00 GMT\r\n"
                + "Cache-Control: no-store, no-cache, must-revalidate\r\n"
                + "Pragma: no-cache\r\n"
                + "Content-type: text/html; charset=UTF-8\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The whole FastCGI answer for a page of {@code bodyBytes} bytes: the head and body as STDOUT
     * records of at most {@value #PHP_RECORD_BYTES} bytes, padded to 8 as php-fpm pads them, the
     * empty STDOUT record and END_REQUEST. Flipped, ready to read.
     */
    public static ByteBuffer fcgiResponse(int bodyBytes) {
        byte[] head = phpResponseHead();
        byte[] stdout = new byte[head.length + bodyBytes];
        System.arraycopy(head, 0, stdout, 0, head.length);
        for (int i = head.length; i < stdout.length; i++) {
            stdout[i] = (byte) ('a' + i % 26);
        }
        int records = (stdout.length + PHP_RECORD_BYTES - 1) / PHP_RECORD_BYTES;
        int recordOverhead = Fcgi.HEADER_LENGTH + Fcgi.RECORD_ALIGNMENT - 1;
        ByteBuffer out = ByteBuffer.allocate(stdout.length + records * recordOverhead
                + Fcgi.HEADER_LENGTH + FcgiResponseGenerator.CONTROL_RECORD_LENGTH);
        for (int from = 0; from < stdout.length; from += PHP_RECORD_BYTES) {
            int length = Math.min(PHP_RECORD_BYTES, stdout.length - from);
            FcgiResponseGenerator.stdout(out, REQUEST_ID, ByteBuffer.wrap(stdout, from, length), true);
        }
        FcgiResponseGenerator.endOfStdout(out, REQUEST_ID);
        FcgiResponseGenerator.endRequest(out, REQUEST_ID, 0, ProtocolStatus.REQUEST_COMPLETE);
        return out.flip();
    }
}
