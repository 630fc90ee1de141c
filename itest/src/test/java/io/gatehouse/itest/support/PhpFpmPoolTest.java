package io.gatehouse.itest.support;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(LeakCheck.class)
class PhpFpmPoolTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private Path docroot;

    @BeforeEach
    void createDocroot() {
        docroot = PhpScripts.copyInto(TempDirs.create("gh-doc"));
        LeakCheck.expectGone(docroot);
    }

    @AfterEach
    void deleteDocroot() {
        TempDirs.deleteRecursively(docroot);
    }

    private RawFastCgi.Reply get(PhpFpmPool pool, String script, String query) throws IOException {
        return RawFastCgi.request(pool.socketPath(),
                RawFastCgi.cgiParams(docroot, "GET", script, "", query, 0), new byte[0], REQUEST_TIMEOUT);
    }

    @Test
    void startsTwoWorkersServesHelloAndLeavesNothingBehind() throws Exception {
        PhpFpmPool pool = PhpFpmPool.start(2);
        long master;
        List<Long> workers;
        Path dir = pool.directory();
        try {
            master = pool.masterPid();
            workers = pool.workerPids();
            assertEquals(2, workers.size(), "workers " + workers);
            for (long worker : workers) {
                ProcInfo info = ProcessTree.info(worker).orElseThrow();
                assertEquals(master, info.ppid());
                assertTrue(info.comm().startsWith("php-fpm"), info.describe());
            }
            assertTrue(pool.socketPath().toString().length() < TempDirs.MAX_SOCKET_PATH_BYTES);
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(pool.socketPath()))) {
                assertTrue(channel.isConnected());
            }

            RawFastCgi.Reply reply = get(pool, "/hello.php", "");

            assertEquals(0, reply.protocolStatus(), "FCGI_REQUEST_COMPLETE");
            assertEquals(0, reply.appStatus());
            assertTrue(reply.stdoutText().startsWith("Content-type: text/plain"), reply.stdoutText());
            assertEquals(PhpScripts.HELLO_BODY + "\n", new String(reply.body(), StandardCharsets.UTF_8));
            assertTrue(pool.log().contains("ready to handle connections"), pool.log());
        } finally {
            pool.close();
        }

        assertFalse(ProcessTree.isAlive(master), "master " + master);
        for (long worker : workers) {
            assertFalse(ProcessTree.isAlive(worker), "worker " + worker);
        }
        assertFalse(Files.exists(dir), dir + " deleted");
        pool.close();
    }

    @Test
    void requestTerminateTimeoutKillsALongRequestAndTheWorkerIsReplaced() throws Exception {
        try (PhpFpmPool pool = PhpFpmPool.start(1, Duration.ofSeconds(1))) {
            long worker = pool.workerPids().get(0);
            ProcInfo workerInfo = ProcessTree.info(worker).orElseThrow();

            IOException error = assertThrows(IOException.class, () -> get(pool, "/slow.php", "ms=5000"));

            assertTrue(error.getMessage().contains("closed before END_REQUEST"), error.getMessage());
            // The connection closes while the worker is still exiting.
            assertEquals(List.of(), ProcessTree.awaitGone(List.of(workerInfo), REQUEST_TIMEOUT),
                    "the timed-out worker was killed");
            long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
            while (pool.workerPids().isEmpty() && System.nanoTime() < deadline) {
                ProcessTree.sleepPoll();
            }
            assertEquals(1, pool.workerPids().size());
            assertNotEquals(worker, pool.workerPids().get(0));
            assertTrue(pool.log().contains("execution timed out"), pool.log());
            String body = new String(get(pool, "/slow.php", "ms=10").body(), StandardCharsets.UTF_8);
            assertEquals("slept 10\n", body);
        }
    }

    @Test
    void aFailedStartReportsTheLogAndCleansUp() {
        long before = countFpmDirs();

        AssertionError error = assertThrows(AssertionError.class,
                () -> PhpFpmPool.start(1, Duration.ZERO, List.of("pm.no_such_option = 1")));

        assertTrue(error.getMessage().contains("php-fpm failed to start"), error.getMessage());
        assertTrue(error.getMessage().contains("--- tail of"), error.getMessage());
        assertTrue(error.getMessage().contains("pm.no_such_option"), error.getMessage());
        assertEquals(before, countFpmDirs(), "temp dir of the failed pool deleted");
    }

    @Test
    void rejectsAChildCountOutsideTheLimit() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> PhpFpmPool.start(0));
        assertTrue(error.getMessage().contains("pm.max_children 0"), error.getMessage());
    }

    private static long countFpmDirs() {
        try (Stream<Path> entries = Files.list(Path.of("/tmp"))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("gh-fpm")).count();
        } catch (IOException e) {
            throw new AssertionError("cannot list /tmp", e);
        }
    }
}
