package io.gatehouse.core.internal.log;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One compiled format shared by threads whose entries keep changing the second and zone under the cached timestamp. */
class AccessLogFormatConcurrencyTest {

    private static final int THREADS = 4;
    private static final int LINES_PER_THREAD = 5_000;
    private static final DateTimeFormatter EXPECTED = DateTimeFormatter.ofPattern("'['dd/MMM/yyyy:HH:mm:ss xx']'",
            Locale.ENGLISH);

    @Test
    void sharedFormatGivesEachLineItsOwnSecond() throws Exception {
        AccessLogFormat format = AccessLogFormat.compile("%t %s");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    int checked = 0;
                    for (int i = 0; i < LINES_PER_THREAD; i++) {
                        SampleEntry entry = new SampleEntry();
                        entry.durationNanos = 0;
                        entry.startTime = entry.startTime.plusSeconds((i * 7L + thread) % 13)
                                .withZoneSameInstant(ZoneOffset.ofHours(i % 3 - thread));
                        entry.status = 200 + thread;
                        String expected = EXPECTED.format(entry.startTime) + " " + entry.status;
                        assertEquals(expected, AccessLogFormatTest.formatted(format, entry));
                        checked++;
                    }
                    return checked;
                }));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertEquals(LINES_PER_THREAD, result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "format threads did not stop");
        }
    }
}
