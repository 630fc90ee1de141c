package io.gatehouse.itest.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The PHP pages the end-to-end tests request, copied from the test resources ({@code php/}) into
 * a document root:
 * <ul>
 *   <li>{@code hello.php}: {@value #HELLO_BODY} (plus a newline)</li>
 *   <li>{@code index.php}: {@value #INDEX_BODY} (plus a newline), the directory index</li>
 *   <li>{@code env.php}: the CGI variables received, sorted {@code KEY=value} lines</li>
 *   <li>{@code post.php}: the decoded form fields, {@code k=v} lines in order sent</li>
 *   <li>{@code upload.php}: {@code length=N sha256=HEX} of the body, read in chunks</li>
 *   <li>{@code download.php?bytes=N[&cl=1]}: N bytes of {@link #downloadByte(long)}, streamed in
 *       64 KiB pieces; Content-Length only with {@code cl=1}</li>
 *   <li>{@code status.php?code=N}: that status, body {@code status N} where a body is allowed</li>
 *   <li>{@code redirect.php}: {@code Location: /hello.php} with no Status line</li>
 *   <li>{@code slow.php?ms=N}: sleeps, then {@code slept N}</li>
 *   <li>{@code pathinfo.php}: {@code SCRIPT_NAME=...} and {@code PATH_INFO=...} lines</li>
 *   <li>{@code pieces.php?n=N&bytes=B&ms=M}: N pieces of B bytes (piece i is letter i of the
 *       alphabet, repeated), each flushed, M ms apart; no Content-Length</li>
 * </ul>
 * PHP's {@code post_max_size} (8 MiB by default) empties {@code php://input} for larger bodies:
 * {@link PhpFpmPool} lifts it; a php-cgi backend needs {@code -d post_max_size=0}.
 *
 * <p>Stateless and thread-safe.
 */
public final class PhpScripts {

    /** Body of {@code hello.php}, without its trailing newline. */
    public static final String HELLO_BODY = "Hello from PHP";
    /** Body of {@code index.php}, without its trailing newline. */
    public static final String INDEX_BODY = "Index page from PHP";
    /** The pages, by file name. */
    public static final List<String> NAMES = List.of("hello.php", "index.php", "env.php", "post.php", "upload.php",
            "download.php", "status.php", "redirect.php", "slow.php", "pathinfo.php", "pieces.php");
    /** Period of the download pattern: a prime, so that it never lines up with a 64 KiB piece. */
    public static final int DOWNLOAD_PERIOD = 251;
    private static final String RESOURCE_DIR = "/php/";

    private PhpScripts() {
    }

    /** Copies every page into {@code docroot} (which must exist) and returns {@code docroot}. */
    public static Path copyInto(Path docroot) {
        for (String name : NAMES) {
            try (InputStream in = PhpScripts.class.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) {
                    throw new IllegalStateException("test resource " + RESOURCE_DIR + name
                            + " missing from the classpath");
                }
                Files.copy(in, docroot.resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + name + " into " + docroot, e);
            }
        }
        return docroot;
    }

    /** Byte {@code offset} of every {@code download.php} body. */
    public static byte downloadByte(long offset) {
        return (byte) (offset % DOWNLOAD_PERIOD);
    }

    /**
     * Offset of the first byte of {@code body} that differs from the download pattern, or -1 when
     * the body matches. The length is the caller's to check.
     */
    public static long firstDownloadMismatch(byte[] body) {
        for (int i = 0; i < body.length; i++) {
            if (body[i] != downloadByte(i)) {
                return i;
            }
        }
        return -1;
    }
}
