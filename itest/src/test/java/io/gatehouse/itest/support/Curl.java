package io.gatehouse.itest.support;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;

/**
 * Runs the real {@code curl} client against the server under test: one request per call, with
 * curl's own time limit and a harder one around the process, response head and body captured
 * to files in a temp directory that is deleted before returning.
 *
 * <p>Stateless and thread-safe.
 */
public final class Curl {

    /** curl's {@code --max-time}: a 10 MB transfer on loopback takes well under a second. */
    public static final Duration MAX_TIME = Duration.ofSeconds(30);
    /** Loopback connects are immediate; longer means nothing listens. */
    private static final int CONNECT_TIMEOUT_SECONDS = 2;
    /** curl stops itself at {@link #MAX_TIME}; this is for a curl that hangs anyway. */
    private static final Duration PROCESS_TIMEOUT = MAX_TIME.plusSeconds(10);

    private Curl() {
    }

    /**
     * The final response curl received (interim {@code 100 Continue} heads are skipped).
     *
     * @param headLines the status line and header lines, without line ends
     */
    public record Response(int status, List<String> headLines, byte[] body) {

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The first value of header {@code name} (case-insensitive). */
        public Optional<String> header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headLines.stream()
                    .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(line -> line.substring(prefix.length()).trim())
                    .findFirst();
        }
    }

    /** {@code curl -sS <extraArgs> <uri>}: a GET unless the arguments say otherwise. */
    public static Response request(URI uri, String... extraArgs) {
        Path curl = Peers.require("curl");
        Path dir = TempDirs.create("gh-curl");
        try {
            Path head = dir.resolve("head");
            Path body = dir.resolve("body");
            Path err = dir.resolve("stderr");
            List<String> command = new ArrayList<>(List.of(curl.toString(), "-sS",
                    "--max-time", Long.toString(MAX_TIME.toSeconds()),
                    "--connect-timeout", Integer.toString(CONNECT_TIMEOUT_SECONDS),
                    "-D", head.toString(), "-o", body.toString()));
            command.addAll(List.of(extraArgs));
            command.add(uri.toString());
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                Assertions.fail("curl " + uri + " still running after " + PROCESS_TIMEOUT + " (killed)");
            }
            if (process.exitValue() != 0) {
                Assertions.fail("curl " + String.join(" ", command.subList(1, command.size())) + " failed with exit "
                        + process.exitValue() + ": " + LogFiles.read(err).trim());
            }
            List<String> lines = finalHead(LogFiles.read(head));
            return new Response(statusOf(lines), lines, Files.exists(body) ? Files.readAllBytes(body) : new byte[0]);
        } catch (IOException e) {
            throw new AssertionError("cannot run curl: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running curl", e);
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    /** curl writes every head it received, interim ones first; the last one is the response. */
    private static List<String> finalHead(String dump) {
        List<String> current = new ArrayList<>();
        List<String> last = List.of();
        for (String line : dump.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                if (!current.isEmpty()) {
                    last = current;
                    current = new ArrayList<>();
                }
            } else {
                current.add(line);
            }
        }
        return current.isEmpty() ? last : current;
    }

    private static int statusOf(List<String> head) {
        if (head.isEmpty()) {
            Assertions.fail("curl received no response head");
        }
        String[] parts = head.get(0).split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            Assertions.fail("not a status line: '" + head.get(0) + "'");
        }
        return Integer.parseInt(parts[1]);
    }
}
