package io.gatehouse.itest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LighttpdProcess;
import io.gatehouse.itest.support.RawExchange;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code server.errorfile-prefix} against the built jar: error files are read when a config is
 * loaded, so serving an error page never reads the disk (a file changed afterwards is not seen
 * until a restart loads it again); a file over the size limit gets the built-in page and a
 * warning; and the answers the request-head checks send before routing (431, 400, 501) use the
 * error files as lighttpd 1.4.69 does, and still close the connection. (What Undertow's own
 * parser refuses, such as a Content-Length that is not a number, gets its fixed body-less 400:
 * see the README.)
 */
@ExtendWith(LeakCheck.class)
class ErrorPagesE2ETest {

    private static final int QUIET_MILLIS = 3000;

    private Path dir;
    private Path errors;
    private int port;
    private GatehouseProcess gatehouse;

    @BeforeEach
    void start() throws IOException {
        dir = TempDirs.create("gh-errpages");
        Files.createDirectory(dir.resolve("www"));
        errors = Files.createDirectory(dir.resolve("errors"));
        for (int status : List.of(400, 404, 431, 501)) {
            Files.writeString(errors.resolve("e" + status + ".html"), "<p>custom " + status + "</p>\n");
        }
        Files.writeString(errors.resolve("big-404.html"), "x".repeat(300 * 1024));
        port = FreePort.get();
        gatehouse = GatehouseProcess.start(writeConfig("gatehouse.conf", port), port);
    }

    private Path writeConfig(String name, int listenPort) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n",
                "server.document-root = \"" + dir.resolve("www") + "\"",
                "server.bind = \"127.0.0.1\"",
                "server.port = " + listenPort,
                "mimetype.assign = ( \".html\" => \"text/html\" )",
                "server.errorfile-prefix = \"" + errors.resolve("e") + "\"",
                "$HTTP[\"url\"] =^ \"/big/\" {",
                "  server.errorfile-prefix = \"" + errors.resolve("big-") + "\"",
                "}",
                ""));
    }

    @AfterEach
    void stop() {
        try {
            if (gatehouse != null) {
                gatehouse.close();
            }
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    @Test
    void errorFilesAreReadWhenTheConfigIsLoadedAndAgainAtRestart() throws Exception {
        assertEquals("<p>custom 404</p>\n", body(get("/nope")));
        Files.writeString(errors.resolve("e404.html"), "<p>changed 404</p>\n");
        Files.delete(errors.resolve("e400.html"));
        assertEquals("<p>custom 404</p>\n", body(get("/nope")), "an error page must not read the disk");
        assertEquals("<p>custom 400</p>\n", body(RawExchange.send(port,
                "GET /x%00 HTTP/1.1\r\nHost: x\r\n\r\n", QUIET_MILLIS)));

        gatehouse.signal("USR1");
        awaitLog("generation 2 serving");
        assertEquals("<p>changed 404</p>\n", body(get("/nope")), "a restart reads the error files again");
        RawExchange builtIn = RawExchange.send(port, "GET /x%00 HTTP/1.1\r\nHost: x\r\n\r\n", QUIET_MILLIS);
        assertEquals(400, builtIn.status());
        assertTrue(body(builtIn).contains("<title>400 Bad Request</title>"), builtIn.toString());
    }

    @Test
    void anErrorFileOverTheLimitGetsTheBuiltInPageAndAWarning() throws Exception {
        RawExchange answer = get("/big/nope");
        assertEquals(404, answer.status());
        assertTrue(body(answer).contains("<title>404 Not Found</title>"), answer.toString());
        assertTrue(gatehouse.log().contains("error file " + errors.resolve("big-404.html") + " is over 256 KiB"),
                gatehouse.logTail());
        assertTrue(gatehouse.isAlive());
    }

    @Test
    void headRefusalsUseTheErrorFilesAsLighttpdAndClose() throws Exception {
        int lighttpdPort = FreePort.get();
        try (LighttpdProcess lighttpd = LighttpdProcess.start(writeConfig("lighttpd.conf", lighttpdPort),
                lighttpdPort, Map.of(), dir.resolve("lighttpd.log"))) {
            Map<String, Integer> refusals = Map.of(
                    "GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_000) + "\r\n\r\n", 431,
                    "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n", 400,
                    "GET /x%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                    "GET /x%0a HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                    "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx", 400,
                    "get /x HTTP/1.1\r\nHost: x\r\n\r\n", 501);
            for (Map.Entry<String, Integer> refusal : refusals.entrySet()) {
                String request = refusal.getKey() + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n";
                String what = refusal.getKey().substring(0, Math.min(60, refusal.getKey().length()));
                RawExchange ours = RawExchange.send(port, request, QUIET_MILLIS);
                RawExchange theirs = RawExchange.send(lighttpdPort, request, QUIET_MILLIS);
                assertEquals(refusal.getValue(), ours.status(), what + ": " + ours);
                assertEquals(theirs.status(), ours.status(), what);
                assertEquals("<p>custom " + refusal.getValue() + "</p>\n", body(ours), what);
                assertEquals(body(theirs), body(ours), what);
                assertEquals(headerValue(theirs, "Content-Type"), headerValue(ours, "Content-Type"), what);
                assertTrue(ours.closed(), what + ": the connection must close after the refusal");
                assertEquals(1, ours.responses(), what + ": the pipelined request must never run");
                assertFalse(ours.text().toLowerCase().contains("connection: keep-alive"), what);
            }
        }
        assertTrue(gatehouse.isAlive(), gatehouse.logTail());
    }

    private RawExchange get(String path) throws IOException {
        return RawExchange.send(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                QUIET_MILLIS);
    }

    private static String body(RawExchange answer) {
        int end = answer.text().indexOf("\r\n\r\n");
        return end < 0 ? "" : answer.text().substring(end + 4);
    }

    private static String headerValue(RawExchange answer, String name) {
        for (String line : answer.text().split("\r\n")) {
            if (line.isEmpty()) {
                break;
            }
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return null;
    }

    private void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!gatehouse.log().contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in the log:\n" + gatehouse.logTail());
            Thread.sleep(50);
        }
    }
}
