package io.gatehouse.core;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatehouse.conf.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A file that is renamed over while it is served: another file of another size, or a FIFO. Each
 * answer must be one whole file with its own length, or a refusal; a FIFO must never hold a
 * worker thread (opening one for reading waits for a writer), so static files keep being served.
 * Looking the path up twice (stat, then open) fails both, now and then, within the bounded run.
 */
class StaticFileSwapTest {

    private static final Duration RUN = Duration.ofSeconds(4);
    private static final int MAX_REQUESTS = 4000;
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(2);

    @TempDir
    Path docroot;

    private Path fifo;

    @AfterEach
    void releaseFifoReaders() throws Exception {
        if (fifo != null && Files.exists(fifo)) {
            // Opening a FIFO read-write never blocks and lets every reader waiting on it go on.
            Process p = new ProcessBuilder("sh", "-c", "exec 3<>\"$0\"", fifo.toString()).start();
            assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFileRenamedOverWhileServedIsServedWholeOrRefusedAndNeverHoldsAThread() throws Exception {
        String small = "small\n";
        String big = "B".repeat(20_000);
        Path smallFile = Files.writeString(docroot.resolve(".small"), small);
        Path bigFile = Files.writeString(docroot.resolve(".big"), big);
        fifo = docroot.resolve(".fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mkfifo.waitFor(5, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        Path target = docroot.resolve("t.txt");
        Files.writeString(docroot.resolve("plain.txt"), "plain\n");
        Files.copy(smallFile, target);

        AtomicBoolean swapping = new AtomicBoolean(true);
        AtomicInteger swaps = new AtomicInteger();
        Thread swapper = new Thread(() -> {
            Path next = docroot.resolve(".next");
            List<Path> sources = List.of(bigFile, fifo, smallFile, fifo);
            try {
                for (int i = 0; swapping.get(); i++) {
                    Files.deleteIfExists(next);
                    Files.createLink(next, sources.get(i % sources.size()));
                    Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    swaps.incrementAndGet();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "swapper");
        try (ProxyFixture proxy = ProxyFixture.start(ServerConfig.builder().documentRoot(docroot))) {
            swapper.start();
            int whole = 0;
            long end = System.nanoTime() + RUN.toNanos();
            for (int i = 0; i < MAX_REQUESTS && System.nanoTime() < end; i++) {
                HttpResponse<String> answer = get(proxy, "/t.txt");
                if (answer.statusCode() == 200) {
                    String length = answer.headers().firstValue("Content-Length").orElse("");
                    assertTrue(Set.of(small, big).contains(answer.body()),
                            "a body that is no whole file: " + answer.body().length() + " bytes");
                    assertEquals(Integer.toString(answer.body().length()), length);
                    whole++;
                } else {
                    assertEquals(403, answer.statusCode(), "a FIFO is refused as what is not a regular file");
                }
            }
            swapping.set(false);
            swapper.join(5000);
            assertTrue(whole > 0 && swaps.get() > 100, "the run served " + whole + " files across " + swaps + " swaps");
            for (int i = 0; i < 32; i++) {
                assertEquals("plain\n", get(proxy, "/plain.txt").body(), "static files still served after the run");
            }
        } finally {
            swapping.set(false);
            swapper.join(5000);
        }
    }

    private static HttpResponse<String> get(ProxyFixture proxy, String path) throws Exception {
        try {
            return proxy.client.send(java.net.http.HttpRequest.newBuilder(proxy.uri(path)).timeout(ANSWER_LIMIT).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return fail(path + " got no answer within " + ANSWER_LIMIT + ": a worker thread is held", e);
        }
    }
}
