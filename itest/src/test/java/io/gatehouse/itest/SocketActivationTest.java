package io.gatehouse.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.ProcessTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * systemd socket activation against the built jar: a perl wrapper ({@code systemd/listen-fds.pl})
 * plays systemd, making a socket, handing it over as fd 3 with {@code LISTEN_FDS=1} and
 * {@code LISTEN_PID} set to its own pid, and exec'ing java (same pid). The socket's inode tells
 * whether gatehouse serves on that very socket; {@code /proc/net/tcp} tells what it listens on.
 */
@ExtendWith(LeakCheck.class)
class SocketActivationTest {

    private static final String ACTIVATION = "server.systemd-socket-activation = \"enable\"";
    private static final Pattern INODE = Pattern.compile("listen-fds: inode=(\\d+)");
    private static final String TCP_LISTEN_STATE = "0A";

    @Test
    void servesOnTheInheritedSocketAcrossRestartsWithoutRefusingAndClosesItAtStop() throws Exception {
        try (RestartFixture f = new RestartFixture("gh-sa", FreePort.get())) {
            f.writeConfig(8, probe(f, 2), ACTIVATION);
            try (SignalLaunch gatehouse = launch(f, "tcp", "127.0.0.1", f.port)) {
                f.awaitErrorLog("serving on the sockets systemd passed", 1);
                long inode = inheritedInode(gatehouse);
                assertTrue(f.errorLogText().contains("fd 3 127.0.0.1:" + f.port + " (127.0.0.1:" + f.port + " at "),
                        f.errorLogText());
                assertEquals(200, f.get("/pid").status());
                assertEquals("socket:[" + inode + "]", fdLink(gatehouse.pid(), 3));
                assertEquals(Set.of(inode), listeningInodes(gatehouse.pid()), "gatehouse bound a socket of its own");
                f.await("the children", () -> f.events().size() == 2);
                assertChildrenDoNotSeeTheSocket(gatehouse.pid(), inode);

                try (RestartLoad load = RestartLoad.start(f.port, "/pid", 1, 2, Duration.ofSeconds(60))) {
                    RestartFixture.sleepMillis(300);
                    gatehouse.signal("USR1");
                    f.awaitErrorLog("generation 2 serving", 1);
                    RestartFixture.sleepMillis(300);
                    load.stop();
                    assertTrue(load.requests() > 0, load.summary());
                    assertEquals(0, load.failures(), load.summary());
                    assertEquals(0, load.refused(), load.summary());
                }
                assertEquals(200, f.get("/pid").status());
                assertEquals("socket:[" + inode + "]", fdLink(gatehouse.pid(), 3));
                assertEquals(Set.of(inode), listeningInodes(gatehouse.pid()));
                f.await("the new children", () -> f.events().size() == 6); // 2 starts, 2 exits, 2 starts
                assertChildrenDoNotSeeTheSocket(gatehouse.pid(), inode);

                gatehouse.signal("INT");
                assertEquals(0, gatehouse.awaitExit(Duration.ofSeconds(15)), gatehouse.output());
                assertThrows(ConnectException.class, () -> connect(f.port), "the inherited socket is still open");
                assertFalse(Files.exists(f.pidFile), "pid file left behind");
                assertEquals(List.of(), f.socketFiles(), "socket files left behind");
                assertTrue(gatehouse.leftovers().isEmpty(), "backends left: " + gatehouse.leftovers());
            }
        }
    }

    @Test
    void aSocketTheConfigDoesNotNameIsServedWithGlobalSettingsAndTheDefaultListenerIsNotBound() throws Exception {
        int configuredPort = FreePort.get();
        try (RestartFixture f = new RestartFixture("gh-sb", FreePort.get())) {
            // No server.bind: lighttpd binds nothing of its own beside the inherited sockets then.
            f.writeRaw(String.join("\n",
                    "server.port = " + configuredPort,
                    "server.pid-file = \"" + f.pidFile + "\"",
                    "server.errorlog = \"" + f.errorLog + "\"",
                    ACTIVATION,
                    "fastcgi.server = ( \"/\" => ( \"probe\" => ( \"socket\" => \"" + f.socket + "\","
                            + " \"check-local\" => \"disable\", " + probe(f, 1).get(0) + " ) ) )") + "\n");
            try (SignalLaunch gatehouse = launch(f, "tcp", "127.0.0.1", f.port)) {
                f.awaitErrorLog("serving on the sockets systemd passed", 1);
                long inode = inheritedInode(gatehouse);
                assertTrue(f.errorLogText().contains("fd 3 127.0.0.1:" + f.port + " (not in the config: global settings)"),
                        f.errorLogText());
                assertTrue(f.get("/pid").body().startsWith("pid="), "not routed by the global settings");
                assertEquals(Set.of(inode), listeningInodes(gatehouse.pid()), "server.port was bound as well");

                gatehouse.signal("USR1");
                f.awaitErrorLog("generation 2 serving", 1);
                assertTrue(f.get("/pid").body().startsWith("pid="), "the inherited socket was dropped by the restart");
                assertEquals(Set.of(inode), listeningInodes(gatehouse.pid()));
                assertThrows(ConnectException.class, () -> connect(configuredPort));

                gatehouse.signal("INT");
                assertEquals(0, gatehouse.awaitExit(Duration.ofSeconds(15)), gatehouse.output());
                assertThrows(ConnectException.class, () -> connect(f.port), "the inherited socket is still open");
            }
        }
    }

    @Test
    void withActivationOffTheConfiguredAddressIsBoundAndThePassedSocketsAreReportedIgnored() throws Exception {
        int passedPort = FreePort.get();
        try (RestartFixture f = new RestartFixture("gh-sc", FreePort.get())) {
            f.writeConfig(8, probe(f, 1));
            try (SignalLaunch gatehouse = launch(f, "tcp", "127.0.0.1", passedPort)) {
                gatehouse.awaitPort(f.port);
                long inode = inheritedInode(gatehouse);
                assertEquals(200, f.get("/pid").status());
                assertTrue(gatehouse.output().contains("gatehouse: WARNING: the sockets systemd passed (LISTEN_FDS) are"
                        + " ignored: server.systemd-socket-activation is not enabled in the config; gatehouse binds the"
                        + " configured addresses itself"), gatehouse.output());
                // The ignored socket stays open (lighttpd leaves it alone too); the served one is bound here.
                Set<Long> bound = listeningInodes(gatehouse.pid());
                bound.remove(inode);
                assertEquals(1, bound.size(), "listening sockets besides the ignored one: " + bound);
                f.await("the child", () -> f.events().size() == 1);
                assertChildrenDoNotSeeTheSocket(gatehouse.pid(), inode);
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "unix           | gatehouse: GH-LISTEN-001 systemd socket activation: fd 3 is a unix-domain socket",
        "tcp-unlistened | gatehouse: GH-LISTEN-003 systemd socket activation: fd 3 is a TCP socket that is not listening"})
    void aPassedSocketThatIsNotAListeningTcpSocketStopsTheStart(String kind, String message) throws Exception {
        try (RestartFixture f = new RestartFixture("gh-sd", FreePort.get())) {
            f.writeConfig(8, probe(f, 1), ACTIVATION);
            String address = kind.equals("unix") ? f.dir.resolve("front.sock").toString() : "127.0.0.1";
            try (SignalLaunch gatehouse = launch(f, kind, address, f.port)) {
                assertEquals(1, gatehouse.awaitExit(Duration.ofSeconds(30)), gatehouse.output());
                assertTrue(gatehouse.output().contains(message), gatehouse.output());
                assertFalse(Files.exists(f.pidFile), "pid file written");
                assertEquals(List.of(), f.events(), "backends spawned");
            }
        }
    }

    private static List<String> probe(RestartFixture f, int procs) {
        return List.of("\"bin-path\" => \"" + f.probeBinPath(false) + "\"", "\"max-procs\" => " + procs);
    }

    /** Starts the jar under the wrapper, which passes a {@code kind} socket on address:port as fd 3. */
    private static SignalLaunch launch(RestartFixture f, String kind, String address, int port) throws IOException {
        Path script = f.dir.resolve("listen-fds.pl");
        try (InputStream in = SocketActivationTest.class.getResourceAsStream("/systemd/listen-fds.pl")) {
            assertTrue(in != null, "test resource /systemd/listen-fds.pl missing");
            Files.copy(in, script);
        }
        List<String> launcher = List.of("perl", script.toString(), kind, address, Integer.toString(port), "--");
        return SignalLaunch.start(f.dir, Map.of(), launcher, "-D", "-f", f.conf.toString());
    }

    private static long inheritedInode(SignalLaunch gatehouse) {
        Matcher m = INODE.matcher(gatehouse.output());
        assertTrue(m.find(), "the wrapper printed no inode:\n" + gatehouse.output());
        return Long.parseLong(m.group(1));
    }

    private static String fdLink(long pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd))).toString();
    }

    /** Inodes of the TCP sockets {@code pid} holds that are listening. */
    private static Set<Long> listeningInodes(long pid) throws IOException {
        Set<Long> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields[3].equals(TCP_LISTEN_STATE)) {
                    listening.add(Long.parseLong(fields[9]));
                }
            }
        }
        listening.retainAll(socketInodes(pid));
        return listening;
    }

    private static Set<Long> socketInodes(long pid) throws IOException {
        Set<Long> inodes = new HashSet<>();
        List<Path> fds = new ArrayList<>();
        try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            list.forEach(fds::add);
        }
        for (Path fd : fds) {
            try {
                String link = Files.readSymbolicLink(fd).toString();
                if (link.startsWith("socket:[")) {
                    inodes.add(Long.parseLong(link.substring("socket:[".length(), link.length() - 1)));
                }
            } catch (IOException e) {
                // closed while listing
            }
        }
        return inodes;
    }

    /** Every backend of gatehouse: no LISTEN_* variable in its environment, no descriptor on the socket. */
    private static void assertChildrenDoNotSeeTheSocket(long gatehousePid, long inode) throws IOException {
        List<ProcessTree.ProcInfo> children = ProcessTree.children(gatehousePid);
        assertFalse(children.isEmpty(), "no backends");
        for (ProcessTree.ProcInfo child : children) {
            byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(child.pid()), "environ"));
            for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
                assertFalse(entry.startsWith("LISTEN_"), "backend " + child.describe() + " sees " + entry);
            }
            assertFalse(socketInodes(child.pid()).contains(inode), "backend " + child.describe() + " holds the socket");
        }
    }

    private static void connect(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        }
    }
}
