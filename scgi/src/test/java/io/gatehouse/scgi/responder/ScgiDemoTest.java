package io.gatehouse.scgi.responder;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link ScgiDemo} as a real child process on a unix socket. */
class ScgiDemoTest {

    /** A JVM starts in well under a second here; this leaves room for a loaded machine. */
    private static final long START_TIMEOUT_SECONDS = 30;

    /** Exit status of a JVM ended by SIGTERM: 128 + 15. */
    private static final int EXIT_ON_SIGTERM = 143;

    private Path dir;
    private Path log;
    private Process process;

    @BeforeEach
    void createTempDir() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ghd");
        log = dir.resolve("demo.log");
    }

    @AfterEach
    void stopAndCleanUp() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    @ParameterizedTest
    @EnumSource(ScgiProtocol.class)
    void answersARequestWithItsEnvironmentAndBodyLength(ScgiProtocol protocol) throws Exception {
        Path socket = dir.resolve("d.sock");
        process = startDemo("--protocol", protocol.name().toLowerCase(Locale.ROOT), "--listen", "unix:" + socket);
        awaitListening(socket);

        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "5");
        env.put("REQUEST_METHOD", "POST");
        env.put("REQUEST_URI", "/demo?x=1");
        env.put("HTTP_X_TEST", "caf\u00e9");
        byte[] request = ResponderTestSupport.request(protocol, env, "hello".getBytes(StandardCharsets.ISO_8859_1));

        String page;
        try (TestClient client = new TestClient()) {
            byte[] response = client.exchange(UnixDomainSocketAddress.of(socket), request);
            page = new String(response, StandardCharsets.ISO_8859_1);
        }

        String expectedVars = "CONTENT_LENGTH=5\nREQUEST_METHOD=POST\nREQUEST_URI=/demo?x=1\nHTTP_X_TEST=caf\u00e9\n"
                + (protocol == ScgiProtocol.SCGI ? "SCGI=1\n" : "");
        assertEquals("Status: 200 OK\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\n"
                + "gatehouse ScgiDemo\nbody length: 5\n\n" + expectedVars, page);

        process.destroy();
        assertTrue(process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS), "demo did not exit on SIGTERM");
        assertEquals(EXIT_ON_SIGTERM, process.exitValue());
        assertFalse(Files.exists(socket), "the demo removes the socket file it bound");
    }

    @Test
    void withoutListenAndWithoutAnInheritedSocketExits2() throws Exception {
        process = startDemo();
        process.getOutputStream().close();
        assertTrue(process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(ScgiDemo.EXIT_USAGE, process.exitValue());
        String output = Files.readString(log);
        assertTrue(output.startsWith("ScgiDemo: no --listen given and fd 0 is not a socket, not a listening socket;"),
                output);
    }

    @Test
    void unknownProtocolExits2() throws Exception {
        process = startDemo("--protocol", "fastcgi", "--listen", "unix:" + dir.resolve("never.sock"));
        assertTrue(process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(ScgiDemo.EXIT_USAGE, process.exitValue());
        String output = Files.readString(log);
        assertTrue(output.startsWith(
                "ScgiDemo: unknown SCGI protocol \"fastcgi\"; expected \"scgi\" or \"uwsgi\"\nusage:"), output);
        assertFalse(Files.exists(dir.resolve("never.sock")));
    }

    private Process startDemo(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ScgiDemo.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** Waits for the demo's "listening" line: the socket file alone appears before listen(). */
    private void awaitListening(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (!Files.readString(log).contains(" listening on ")) {
            if (!process.isAlive()) {
                fail("demo exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                fail("demo did not bind " + socket + " within " + START_TIMEOUT_SECONDS + " s: "
                        + Files.readString(log));
            }
            Thread.sleep(10);
        }
    }
}
