package io.gatehouse.spawn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.gatehouse.spawn.internal.ProcFs;
import io.gatehouse.spawn.internal.SocketFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the spawner does with the socket path or port of each proc before and after binding. */
class SocketPathTest extends SpawnTestSupport {

    private SpawnSpec.Builder sleeper(Path socket, int procs) throws IOException {
        return SpawnSpec.builder("sleeper", List.of(script("sleeper.sh", "exec sleep 600").toString()))
                .socket(socket).procs(procs);
    }

    @Test
    void staleSocketFileIsUnlinkedAndTheSpawnSucceeds() throws Exception {
        Path base = dir.resolve("s.sock");
        Path proc0 = Path.of(base + "-0");
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(proc0));
        }
        long staleInode = SocketFiles.socketInode(proc0).orElseThrow();
        SpawnedBackend backend = start(sleeper(base, 1).build());
        long pid = backend.status().get(0).pid();
        assertEquals(ProcStatus.State.RUNNING, backend.status().get(0).state());
        long inode = PhpCgiSpawnTest.boundInode(proc0);
        assertNotEquals(staleInode, inode, "a new socket was bound");
        assertEquals("socket:[" + inode + "]", PhpCgiSpawnTest.fdTargets(pid).get(0));
        assertTrue(log.stream().anyMatch(l -> l.contains(proc0 + ": stale socket removed")), log.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void regularFileAtTheSocketPathIsRefusedAndLeftUntouched(int proc) throws Exception {
        Path base = dir.resolve("s.sock");
        Path file = Path.of(base + "-" + proc);
        Files.writeString(file, "precious data\n");
        SpawnException e = assertThrows(SpawnException.class, () -> start(sleeper(base, 2).build()));
        assertEquals("GH-SPAWN-002", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains("proc " + proc + " (" + file + "): " + file + " exists and is not a socket;"
                + " gatehouse never deletes it"), e.getMessage());
        assertEquals("precious data\n", Files.readString(file));
        // with proc 1 refused, proc 0 had already been spawned: it must be cleaned up
        assertFalse(SocketFiles.exists(Path.of(base + "-" + (1 - proc))), "the other proc's socket");
    }

    @Test
    void addressSomethingElseServesIsUsedAsExternalAndNeverTouched() throws Exception {
        Path base = dir.resolve("s.sock");
        Path proc0 = Path.of(base + "-0");
        try (ServerSocketChannel foreign = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            foreign.bind(UnixDomainSocketAddress.of(proc0));
            long inode = SocketFiles.socketInode(proc0).orElseThrow();
            SpawnedBackend backend = start(sleeper(base, 2).build());
            assertEquals(ProcStatus.State.EXTERNAL, backend.status().get(0).state());
            assertEquals(0, backend.status().get(0).pid());
            assertTrue(backend.isAvailable(0));
            assertEquals(ProcStatus.State.RUNNING, backend.status().get(1).state());
            assertTrue(log.stream().anyMatch(l -> l.contains(proc0 + ": external")), log.toString());
            StopReport report = backend.stop();
            assertEquals(1, report.signalled(), "only our own child is signalled");
            assertEquals(inode, SocketFiles.socketInode(proc0).orElseThrow(), "the foreign socket stays");
        } finally {
            Files.deleteIfExists(proc0);
        }
    }

    @Test
    void missingParentDirectoriesAreCreated() throws Exception {
        Path base = dir.resolve("a/b/s.sock");
        SpawnedBackend backend = start(sleeper(base, 1).build());
        assertTrue(SocketFiles.socketInode(Path.of(base + "-0")).isPresent());
        assertTrue(ProcFs.alive(backend.status().get(0).pid()));
    }

    @Test
    void tcpProcsListenOnPortPlusN() throws Exception {
        Path php = requireBinary("/usr/bin/php-cgi", "php-cgi");
        Path script = dir.resolve("t.php");
        Files.writeString(script, "<?php echo 'port=' . $_SERVER['SERVER_PORT'] . ' pid=' . getmypid();\n");
        int port = freePortPair();
        SpawnedBackend backend = start(SpawnSpec.builder("tcp", List.of(php.toString()))
                .tcp(new InetSocketAddress("127.0.0.1", port)).procs(2).build());
        for (int n = 0; n < 2; n++) {
            assertEquals("127.0.0.1:" + (port + n), backend.status().get(n).address());
            String answer = PhpCgiSpawnTest.request(backend.addresses().get(n), script, "GET", "");
            long worker = Long.parseLong(answer.replaceAll("(?s).*pid=(\\d+).*", "$1"));
            assertEquals(backend.status().get(n).pid(), ProcFs.stat(worker).orElseThrow().parentPid());
        }
    }

    @Test
    void socketPathPastTheLimitIsRejectedNamingIt() {
        String longName = "x".repeat(120);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpawnSpec.builder("long", List.of("/bin/true")).socket(dir.resolve(longName)).procs(1).build());
        assertTrue(e.getMessage().contains(longName + "-0") && e.getMessage().contains("limit is 107"),
                e.getMessage());
    }

    /** A port p with p and p+1 free on 127.0.0.1 right now. */
    static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                if (port < 65535) {
                    try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                        return second.getLocalPort() - 1;
                    } catch (IOException taken) {
                        // try another pair
                    }
                }
            }
        }
        throw new IOException("no two consecutive free ports found in 50 attempts");
    }
}
