package io.gatehouse.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The pid file ({@code server.pid-file}), {@code gatehouse -s reload|stop|quit -f FILE}, and the
 * systemd notifications, against the built jar.
 */
class PidFileControlTest {

    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(30);

    private static List<String> probe(RestartFixture f) {
        return List.of("\"bin-path\" => \"" + f.probeBinPath(false) + "\"", "\"max-procs\" => 1");
    }

    /** Runs the jar with {@code args} to completion; returns exit code and output. */
    private static String[] cli(Path dir, String... args) throws Exception {
        try (SignalLaunch run = SignalLaunch.start(dir, Map.of(), args)) {
            int status = run.awaitExit(CLI_TIMEOUT);
            return new String[] {Integer.toString(status), run.output()};
        }
    }

    @Test
    void aPidFileNamingARunningGatehouseRefusesASecondStart() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-pf", FreePort.get())) {
            f.writeConfig(8, probe(f));
            GatehouseProcess first = f.start();
            Path second = f.dir.resolve("second.conf");
            Files.writeString(second, Files.readString(f.conf).replace("server.port = " + f.port,
                    "server.port = " + FreePort.get()).replace("probe.sock", "other.sock"));

            String[] result = cli(f.dir, "-D", "-f", second.toString());
            assertEquals("1", result[0], result[1]);
            assertTrue(result[1].contains("GH-PID-001") && result[1].contains("pid " + first.pid()), result[1]);
            assertEquals(first.pid() + "", Files.readString(f.pidFile).strip(), "the pid file still names the first");
            assertTrue(first.isAlive());
        }
    }

    @Test
    void aStalePidFileIsOverwrittenAndRemovedAtStop() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-ps", FreePort.get())) {
            f.writeConfig(8, probe(f));
            Files.writeString(f.pidFile, "1\n"); // init: running, but no gatehouse
            GatehouseProcess gatehouse = f.start();
            assertEquals(gatehouse.pid() + "", Files.readString(f.pidFile).strip());
            gatehouse.signal("TERM");
            assertEquals(0, gatehouse.waitForExit(Duration.ofSeconds(10)));
            assertFalse(Files.exists(f.pidFile));
        }
    }

    @Test
    void controlCommandsCheckTheConfigAndSignalThePidFromThePidFile() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-pc", FreePort.get())) {
            f.writeConfig(8, probe(f));
            String good = Files.readString(f.conf);
            GatehouseProcess gatehouse = f.start();
            long child = f.servingPid();

            // The preflight fails: nothing is sent, the old generation serves on.
            f.writeRaw(good.replace(RestartProbeBackend.class.getName(), "x").replace(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "/nonexistent/java"));
            String[] refused = cli(f.dir, "-s", "reload", "-f", f.conf.toString());
            assertEquals("3", refused[0], refused[1]);
            assertTrue(refused[1].contains("does not exist") && refused[1].contains("reload not sent"), refused[1]);
            assertEquals(child, f.servingPid());
            assertEquals(0, f.errorLogCount("restart to generation"), "a restart ran");

            f.writeRaw(good);
            String[] reload = cli(f.dir, "-s", "reload", "-f", f.conf.toString());
            assertEquals("0", reload[0], reload[1]);
            assertTrue(reload[1].contains("sent SIGUSR1 to gatehouse pid " + gatehouse.pid()), reload[1]);
            f.awaitErrorLog("(restart) generation 2 serving", 1);
            assertNotEquals(child, f.servingPid());

            String[] stop = cli(f.dir, "-s", "stop", "-f", f.conf.toString());
            assertEquals("0", stop[0], stop[1]);
            assertEquals(0, gatehouse.waitForExit(Duration.ofSeconds(10)));
            assertFalse(Files.exists(f.pidFile));

            String[] notRunning = cli(f.dir, "-s", "quit", "-f", f.conf.toString());
            assertEquals("1", notRunning[0], notRunning[1]);
            assertTrue(notRunning[1].contains("does not exist: is gatehouse running"), notRunning[1]);
        }
    }

    @Test
    void controlWithoutAPidFileFailsWithTheReason() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-pn", FreePort.get())) {
            f.writeRaw("server.port = " + f.port + "\n");
            String[] result = cli(f.dir, "-s", "quit", "-f", f.conf.toString());
            assertEquals("1", result[0], result[1]);
            assertTrue(result[1].contains("sets no server.pid-file"), result[1]);
            String[] usage = cli(f.dir, "-s", "restart", "-f", f.conf.toString());
            assertEquals("2", usage[0], usage[1]);
            assertTrue(usage[1].contains("-s takes reload, stop or quit, not \"restart\""), usage[1]);
        }
    }

    @Test
    void systemdIsToldReadyReloadingAndStopping() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-pd", FreePort.get());
                UnixDatagramChannel notify = UnixDatagramChannel.open()) {
            Path socket = f.dir.resolve("notify.sock");
            notify.bind(new UnixSocketAddress(socket.toFile()));
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            Thread receiver = new Thread(() -> receive(notify, received), "notify-receiver");
            receiver.setDaemon(true);
            receiver.start();
            f.writeConfig(8, probe(f));
            try (SignalLaunch gatehouse = SignalLaunch.start(f.dir, Map.of("NOTIFY_SOCKET", socket.toString()),
                    "-D", "-f", f.conf.toString()).awaitPort(f.port)) {
                List<String> messages = new ArrayList<>();
                awaitMessage(received, messages, "READY=1");
                assertTrue(messages.get(0).contains("MAINPID=" + gatehouse.pid()), messages.toString());

                gatehouse.signal("USR1");
                awaitMessage(received, messages, "RELOADING=1");
                assertTrue(messages.get(1).matches("(?s).*MONOTONIC_USEC=\\d+.*"), messages.toString());
                awaitMessage(received, messages, "READY=1");

                gatehouse.signal("TERM");
                awaitMessage(received, messages, "STOPPING=1");
                assertEquals(0, gatehouse.awaitExit(Duration.ofSeconds(10)));
                assertEquals(4, messages.size(), messages.toString());
            }
        }
    }

    /** Receives datagrams until the channel is closed (at the end of the test). */
    private static void receive(UnixDatagramChannel channel, BlockingQueue<String> received) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            while (channel.isOpen()) {
                buffer.clear();
                channel.receive(buffer);
                buffer.flip();
                received.add(StandardCharsets.UTF_8.decode(buffer).toString());
            }
        } catch (IOException e) {
            // closed by the test's end: nothing more to receive
        }
    }

    private static void awaitMessage(BlockingQueue<String> received, List<String> messages, String expected)
            throws InterruptedException {
        String message = received.poll(RestartFixture.AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no " + expected + " within " + RestartFixture.AWAIT + "; got " + messages);
        }
        messages.add(message);
        assertTrue(message.startsWith(expected), "expected " + expected + ", got: " + messages);
    }
}
