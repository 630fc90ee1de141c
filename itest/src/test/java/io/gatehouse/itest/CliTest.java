package io.gatehouse.itest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarFile;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseCli;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.HttpClients;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.ProcessTree;
import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The command-line contract of the built jar: options, exit codes (0 ok, 1 runtime failure,
 * 2 usage, 3 config error), config checks with {@code -t}/{@code -tt}, and the signals INT,
 * TERM and HUP on a running server.
 */
@ExtendWith(LeakCheck.class)
class CliTest {

    private static final int EXIT_OK = 0;
    private static final int EXIT_RUNTIME = 1;
    private static final int EXIT_USAGE = 2;
    private static final int EXIT_CONFIG = 3;
    /** SIGTERM is the fast stop: lighttpd exits at once; two seconds is generous. */
    private static final Duration TERM_LIMIT = Duration.ofSeconds(2);
    /** SIGINT finishes in-flight requests first; with none in flight it is quick too. */
    private static final Duration INT_LIMIT = Duration.ofSeconds(10);
    /** How long a reopened access log may take to appear after SIGHUP. */
    private static final Duration HUP_WAIT = Duration.ofSeconds(5);
    private static final Duration PROCESS_GONE_WAIT = Duration.ofSeconds(5);
    private static final int SIGINT = 2;
    /** gatehouse keeps an inherited SIG_IGN (as nohup wants), so the test cannot work then. */
    static final String SIGINT_IGNORED = "gatehouse was started with SIGINT ignored, inherited from whatever"
            + " started the tests (a background job of a non-interactive shell?): run mvn in the foreground";

    private Path dir;

    @BeforeEach
    void createDir() {
        dir = TempDirs.create("gh-cli");
        LeakCheck.expectGone(dir);
    }

    @AfterEach
    void deleteDir() {
        TempDirs.deleteRecursively(dir);
    }

    /** A config that serves static files only: the CLI contract needs no backend to be running. */
    private Path serverConfig(int port) throws IOException {
        Path docroot = Files.createDirectories(dir.resolve("www"));
        Files.writeString(docroot.resolve("index.html"), "cli test\n");
        return ConfigFiles.phpBackend(dir, port, docroot, "unused", dir.resolve("unused.sock"));
    }

    @Test
    void versionPrintsTheJarVersion() throws IOException {
        String version;
        try (JarFile jar = new JarFile(GatehouseProcess.jar().toFile())) {
            version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }

        GatehouseCli.Result result = GatehouseCli.run("-v");

        assertEquals(EXIT_OK, result.exitCode(), result.describe());
        assertTrue(result.stdout().startsWith("gatehouse " + version), result.describe());
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        GatehouseCli.Result result = GatehouseCli.run("-h");

        assertEquals(EXIT_OK, result.exitCode(), result.describe());
        assertTrue(result.stdout().contains("usage: gatehouse"), result.describe());
        for (String option : List.of("-f FILE", "-D", "-t", "-tt", "-v", "-h")) {
            assertTrue(result.stdout().contains(option), option + " missing from help: " + result.describe());
        }
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        GatehouseCli.Result result = GatehouseCli.run("--no-such-option");

        assertEquals(EXIT_USAGE, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains("--no-such-option"), result.describe());
        assertTrue(result.stderr().contains("usage: gatehouse"), result.describe());
        assertEquals("", result.stdout(), "usage errors go to stderr only");
    }

    @Test
    void syntaxCheckOfAGoodConfigSaysSyntaxOk() throws IOException {
        Path conf = serverConfig(FreePort.get());

        GatehouseCli.Result result = GatehouseCli.run("-t", "-f", conf.toString());

        assertEquals(EXIT_OK, result.exitCode(), result.describe());
        assertEquals("Syntax OK", result.stdout().strip(), result.describe());
    }

    @Test
    void syntaxCheckOfABrokenConfigNamesFileLineAndColumn() {
        Path conf = ConfigFiles.write(dir.resolve("broken.conf"),
                "server.bind = \"127.0.0.1\"",
                "server.port = 8080",
                "server.document-root = = \"/srv/www\"");

        GatehouseCli.Result result = GatehouseCli.run("-t", "-f", conf.toString());

        assertEquals(EXIT_CONFIG, result.exitCode(), result.describe());
        // Column 24 is the second '=' of line 3, the first token that cannot be there.
        assertTrue(result.stderr().contains(conf + ":3:24:"),
                "expected " + conf + ":3:24: in: " + result.describe());
        assertFalse(result.stdout().contains("Syntax OK"), result.describe());
    }

    @Test
    void syntaxCheckOfAConfigIncludingDevZeroIsAConfigErrorNamingTheInclude() {
        Path conf = ConfigFiles.write(dir.resolve("zero.conf"),
                "server.port = 8080",
                "include \"/dev/zero\"");

        GatehouseCli.Result result = GatehouseCli.run("-t", "-f", conf.toString());

        assertEquals(EXIT_CONFIG, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains(conf + ":2:1: cannot read config file /dev/zero: it is a character device"),
                result.describe());
    }

    @Test
    void preflightRejectsABinPathThatIsNotExecutable() throws IOException {
        Path binary = Files.writeString(dir.resolve("not-executable"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rw-r--r--"));
        Path conf = ConfigFiles.write(dir.resolve("binpath.conf"),
                "server.bind = \"127.0.0.1\"",
                "server.port = " + FreePort.get(),
                "server.document-root = " + ConfigFiles.quote(dir.toString()),
                "fastcgi.server = ( \".php\" => ( \"php\" => (",
                "    \"socket\" => " + ConfigFiles.quote(dir.resolve("php.sock").toString()) + ",",
                "    \"bin-path\" => " + ConfigFiles.quote(binary.toString()),
                ") ) )");

        GatehouseCli.Result result = GatehouseCli.run("-tt", "-f", conf.toString());

        assertEquals(EXIT_CONFIG, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains(binary.toString()), result.describe());
        assertTrue(result.stderr().contains("not executable"), result.describe());
        assertTrue(result.stderr().contains(conf + ":6:"), "names the bin-path line: " + result.describe());
        assertFalse(Files.exists(dir.resolve("php.sock")), "-tt must not bind backend sockets");
    }

    @Test
    void preflightRejectsAMissingDocumentRoot() {
        Path missing = dir.resolve("no-such-docroot");
        Path conf = ConfigFiles.write(dir.resolve("docroot.conf"),
                "server.bind = \"127.0.0.1\"",
                "server.port = " + FreePort.get(),
                "server.document-root = " + ConfigFiles.quote(missing.toString()));

        GatehouseCli.Result result = GatehouseCli.run("-tt", "-f", conf.toString());

        assertEquals(EXIT_CONFIG, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains(missing.toString()), result.describe());
        assertTrue(result.stderr().contains("does not exist"), result.describe());
    }

    @Test
    void aPortAlreadyTakenIsARuntimeFailureAndLeavesNothingRunning() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            Path conf = serverConfig(port);

            // GatehouseCli fails on its own if anything the run started outlives it.
            GatehouseCli.Result result = GatehouseCli.run(List.of("-D", "-f", conf.toString()), dir,
                    GatehouseCli.RUN_TIMEOUT);

            assertEquals(EXIT_RUNTIME, result.exitCode(), result.describe());
            assertTrue(result.stderr().contains("127.0.0.1:" + port), result.describe());
            assertTrue(result.stderr().toLowerCase().contains("in use"), result.describe());
        }
    }

    @Test
    void sigintStopsWithStatusZeroAndLeavesNothing() throws IOException, InterruptedException {
        int port = FreePort.get();
        try (GatehouseProcess gatehouse = GatehouseProcess.start(serverConfig(port), port)) {
            assertEquals(200, HttpClients.get(port, "/index.html").statusCode(), gatehouse.logTail());
            List<ProcInfo> tree = ProcessTree.descendants(gatehouse.pid());
            assertFalse(ProcessTree.ignoresSignal(gatehouse.pid(), SIGINT), SIGINT_IGNORED);

            gatehouse.signal("INT");

            assertEquals(EXIT_OK, gatehouse.waitForExit(INT_LIMIT), gatehouse.logTail());
            assertEquals(List.of(), ProcessTree.awaitGone(tree, PROCESS_GONE_WAIT));
        }
    }

    @Test
    void sigtermStopsQuicklyAndLeavesNothing() throws IOException, InterruptedException {
        int port = FreePort.get();
        try (GatehouseProcess gatehouse = GatehouseProcess.start(serverConfig(port), port)) {
            assertEquals(200, HttpClients.get(port, "/index.html").statusCode(), gatehouse.logTail());
            List<ProcInfo> tree = ProcessTree.descendants(gatehouse.pid());

            long start = System.nanoTime();
            gatehouse.signal("TERM");
            gatehouse.waitForExit(TERM_LIMIT);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(List.of(), ProcessTree.awaitGone(tree, PROCESS_GONE_WAIT));
            assertTrue(took.compareTo(TERM_LIMIT) <= 0, "exit after " + took);
        }
    }

    @Test
    void sighupReopensTheAccessLogAtItsConfiguredPath() throws IOException, InterruptedException {
        int port = FreePort.get();
        Path accessLog = dir.resolve(ConfigFiles.ACCESS_LOG);
        Path rotated = dir.resolve(ConfigFiles.ACCESS_LOG + ".1");
        try (GatehouseProcess gatehouse = GatehouseProcess.start(serverConfig(port), port)) {
            assertEquals(200, HttpClients.get(port, "/index.html?before=rotate").statusCode(), gatehouse.logTail());
            awaitLine(accessLog, "before=rotate", gatehouse);
            Files.move(accessLog, rotated);

            gatehouse.signal("HUP");

            // The signal is handled asynchronously: ask until a request lands in the new file.
            long deadline = System.nanoTime() + HUP_WAIT.toNanos();
            int attempt = 0;
            while (!LogFiles.read(accessLog).contains("after=rotate")) {
                if (System.nanoTime() > deadline) {
                    fail("no new " + accessLog + " with the request after SIGHUP within " + HUP_WAIT + "; "
                            + rotated + " holds:\n" + LogFiles.read(rotated) + gatehouse.logTail()
                            + LogFiles.tail(List.of(dir.resolve(ConfigFiles.ERROR_LOG))));
                }
                attempt++;
                assertEquals(200, HttpClients.get(port, "/index.html?after=rotate&n=" + attempt).statusCode());
                Thread.sleep(50);
            }
            assertTrue(LogFiles.read(rotated).contains("before=rotate"), "old lines stay in the moved file");
            assertTrue(gatehouse.isAlive(), "SIGHUP must not stop the server:\n" + gatehouse.logTail());
            assertEquals(200, HttpClients.get(port, "/index.html?later=1").statusCode());
            awaitLine(accessLog, "later=1", gatehouse);
            assertFalse(LogFiles.read(rotated).contains("later=1"), "the moved file is no longer written");
        }
    }

    private void awaitLine(Path log, String text, GatehouseProcess gatehouse) throws InterruptedException {
        long deadline = System.nanoTime() + HUP_WAIT.toNanos();
        while (!LogFiles.read(log).contains(text)) {
            if (System.nanoTime() > deadline) {
                fail(log + " lacks '" + text + "' after " + HUP_WAIT + "\n" + LogFiles.tail(List.of(log))
                        + gatehouse.logTail());
            }
            Thread.sleep(50);
        }
    }
}
