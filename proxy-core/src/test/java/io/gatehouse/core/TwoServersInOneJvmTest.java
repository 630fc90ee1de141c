package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two servers started in one JVM share nothing of the request engine: each runs the I/O threads
 * its options ask for, reads backend responses into buffers of its own and keeps its own record
 * of the files its routes found on disk; stopping one leaves the other serving with all of them.
 * Both serve one document root through one backend, so a shared cache would show both servers'
 * files in each.
 */
class TwoServersInOneJvmTest {

    private static final int DOWNLOAD_BYTES = 300_000;

    /** The files of the document root: the scripts TestApp answers for. */
    private static final List<String> SCRIPTS = List.of("env", "download");

    private Path docroot;
    private TestBackend backend;

    @BeforeEach
    void documentRootAndBackend() throws IOException {
        docroot = Files.createTempDirectory(Path.of("/tmp"), "gh-two-");
        // check-local: the route takes a request only for a file that exists; TestApp answers by SCRIPT_NAME.
        for (String script : SCRIPTS) {
            Files.writeString(docroot.resolve(script), "");
        }
        backend = TestBackend.start(TestBackend.Kind.FASTCGI_UNIX);
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (backend != null) {
            backend.close();
        }
        for (String script : SCRIPTS) {
            Files.deleteIfExists(docroot.resolve(script));
        }
        Files.delete(docroot); // fails if the servers left anything in it
    }

    @Test
    void eachServerHasItsOwnThreadsBuffersAndCacheAndOutlivesTheOther() throws Exception {
        int alphaPort = ProxyFixture.freePort();
        Gatehouse alpha = Gatehouse.start(config(alphaPort), new EngineOptions(1, "gh-alpha"));
        try {
            int betaPort = ProxyFixture.freePort();
            try (Gatehouse beta = Gatehouse.start(config(betaPort), new EngineOptions(3, "gh-beta"))) {
                assertEquals(1, ioThreadsNamed("gh-alpha"), "alpha's I/O threads");
                assertEquals(3, ioThreadsNamed("gh-beta"), "beta's I/O threads");

                assertServesEnv(alphaPort);
                assertServesDownload(betaPort);
                assertEquals(1, alpha.resolvedPathsHeld(), "alpha keeps only the file it was asked for");
                assertEquals(1, beta.resolvedPathsHeld(), "beta keeps only the file it was asked for");
                EngineFixture.assertSettlesAtZero(alpha::readBuffersInUse, "alpha's read buffers");
                EngineFixture.assertSettlesAtZero(beta::readBuffersInUse, "beta's read buffers");

                alpha.close();
                EngineFixture.assertSettlesAtZero(() -> ioThreadsNamed("gh-alpha"), "alpha's I/O threads after its stop");
                assertEquals(3, ioThreadsNamed("gh-beta"), "alpha's stop left beta's I/O threads running");
                assertEquals(1, beta.resolvedPathsHeld(), "alpha's stop left beta's cache alone");
                // Alpha closed its buffer pool; beta reads a response of many buffers from its own.
                assertServesDownload(betaPort);
                assertServesEnv(betaPort);
                assertEquals(2, beta.resolvedPathsHeld());
                EngineFixture.assertSettlesAtZero(beta::readBuffersInUse, "beta's read buffers");
            }
            EngineFixture.assertSettlesAtZero(() -> ioThreadsNamed("gh-beta"), "beta's I/O threads after its stop");
        } finally {
            alpha.close();
        }
    }

    @Test
    void aRestartStartsWithAnEmptyFileLookupCache() throws Exception {
        int port = ProxyFixture.freePort();
        try (Gatehouse server = Gatehouse.start(config(port), new EngineOptions(1, "gh-restart"))) {
            assertServesEnv(port);
            assertServesDownload(port);
            assertEquals(2, server.resolvedPathsHeld());
            assertTrue(server.restart(config(port)), server.restartStatus().lastFailure());
            assertEquals(0, server.resolvedPathsHeld(), "the new generation found nothing on disk yet");
            assertServesEnv(port);
            assertEquals(1, server.resolvedPathsHeld());
        }
    }

    private ServerConfig config(int port) {
        return ServerConfig.builder().documentRoot(docroot)
                .route(Route.of("", Protocol.FASTCGI, backend.config().checkLocal(true).build()))
                .listen("127.0.0.1", port).build();
    }

    private static void assertServesEnv(int port) throws IOException {
        RawHttp.Response response = get(port, "/env");
        assertEquals(200, response.status(), response.bodyText());
        assertTrue(response.bodyText().contains("SCRIPT_NAME=/env\n"), response.bodyText());
    }

    private static void assertServesDownload(int port) throws IOException {
        RawHttp.Response response = get(port, "/download?bytes=" + DOWNLOAD_BYTES);
        assertEquals(200, response.status(), response.head());
        assertEquals(DOWNLOAD_BYTES, response.body().length);
        for (int i = 0; i < DOWNLOAD_BYTES; i++) {
            if (response.body()[i] != (byte) ((i % (251 * 64)) % 251)) {
                throw new AssertionError("byte " + i + " of the download is wrong");
            }
        }
    }

    private static RawHttp.Response get(int port, String target) throws IOException {
        return RawHttp.exchange(port, "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", null);
    }

    /** Live threads XNIO named as the I/O threads of the server whose threads are called {@code name}. */
    private static int ioThreadsNamed(String name) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(name + " I/O-"))
                .count();
    }
}
