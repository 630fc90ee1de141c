package io.gatehouse.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import org.junit.jupiter.api.Test;

/**
 * Ten consecutive SIGUSR1 restarts of the built jar under a load of keep-alive and new-connection
 * clients, against bin-path backends ({@link RestartProbeBackend}, two children per generation):
 * nothing fails, nothing is refused, no keep-alive connection is closed, the pid stays, and the
 * children's own event log shows every old child's exit before any new child's start.
 */
class RestartUnderLoadTest {

    private static final int RESTARTS = 10;
    private static final int PROCS = 2;
    private static final int KEEP_ALIVE_CLIENTS = 4;
    private static final int NEW_CONNECTION_CLIENTS = 4;
    /** Load between restarts, so each restart starts with requests in flight. */
    private static final long BETWEEN_RESTARTS_MILLIS = 300;

    @Test
    void tenRestartsUnderLoadLoseNoRequestAndKeepEveryConnection() throws Exception {
        int port = FreePort.get();
        try (RestartFixture f = new RestartFixture("gh-rl", port)) {
            f.writeConfig(8, List.of("\"bin-path\" => \"" + f.probeBinPath(false) + "\"", "\"max-procs\" => " + PROCS));
            GatehouseProcess gatehouse = f.start();
            long pid = gatehouse.pid();
            f.await("the first children", () -> count(f.events(), "start ") == PROCS);

            RestartLoad load = RestartLoad.start(port, "/pid", KEEP_ALIVE_CLIENTS, NEW_CONNECTION_CLIENTS,
                    Duration.ofSeconds(150));
            List<Long> restartMillis = new ArrayList<>();
            try {
                RestartFixture.sleepMillis(BETWEEN_RESTARTS_MILLIS);
                for (int generation = 2; generation <= RESTARTS + 1; generation++) {
                    long started = System.nanoTime();
                    gatehouse.signal("USR1");
                    f.awaitErrorLog("(restart) generation " + generation + " serving", 1);
                    restartMillis.add((System.nanoTime() - started) / 1_000_000);
                    RestartFixture.sleepMillis(BETWEEN_RESTARTS_MILLIS);
                }
            } finally {
                load.stop();
            }
            System.out.println("RestartUnderLoadTest: " + RESTARTS + " restarts (" + restartMillis + " ms): "
                    + load.summary());

            assertTrue(load.requests() > RESTARTS * 10L, "too little load to mean anything: " + load.summary());
            assertEquals(0, load.failures(), load.summary());
            assertEquals(0, load.refused(), load.summary());
            assertEquals(0, load.closedWithoutResponse(), load.summary());
            assertEquals(0, load.keepAliveReconnects(), "keep-alive connections were closed: " + load.summary());
            assertEquals(pid, gatehouse.pid());
            assertTrue(gatehouse.isAlive());
            assertEquals(pid + "", Files.readString(f.pidFile).strip(), "pid file kept across restarts");
            assertEquals(RESTARTS, f.errorLogCount("serving; restart took"), "every restart installed its generation");

            assertOldChildrenExitBeforeNewStart(f.events(), RESTARTS + 1);
            // A socket path left behind by an old child would be found and removed as stale by the spawn.
            assertEquals(0, f.errorLogCount("nobody listened there"), f.errorLogText());
            assertEquals(0, f.errorLogCount("NOT verified"), f.errorLogText());
        }
    }

    /**
     * The event log must read: PROCS starts, then for each restart PROCS exits of exactly the
     * previous children followed by PROCS starts of children never seen before.
     */
    static void assertOldChildrenExitBeforeNewStart(List<String> events, int generations) {
        String all = String.join("\n", events);
        Set<String> seen = new HashSet<>();
        Set<String> live = new HashSet<>();
        int index = 0;
        for (int generation = 1; generation <= generations; generation++) {
            if (generation > 1) {
                Set<String> exited = new HashSet<>();
                for (int i = 0; i < PROCS; i++, index++) {
                    assertTrue(index < events.size(), "events end early:\n" + all);
                    String[] event = events.get(index).split(" ");
                    assertEquals("exit", event[0], "generation " + generation + ": a child started before every old"
                            + " child exited, at event " + index + ":\n" + all);
                    exited.add(event[1]);
                }
                assertEquals(live, exited, "the exits are the previous generation's children:\n" + all);
                live.clear();
            }
            for (int i = 0; i < PROCS; i++, index++) {
                assertTrue(index < events.size(), "events end early:\n" + all);
                String[] event = events.get(index).split(" ");
                assertEquals("start", event[0], "event " + index + ":\n" + all);
                assertTrue(seen.add(event[1]), "pid " + event[1] + " served in two generations:\n" + all);
                live.add(event[1]);
            }
        }
        assertFalse(events.subList(index, events.size()).stream().anyMatch(e -> e.startsWith("start")),
                "unexpected starts:\n" + all);
    }

    private static long count(List<String> events, String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }
}
