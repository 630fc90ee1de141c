package io.gatehouse.spawn;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import io.gatehouse.spawn.internal.SocketFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, item 10: a socket path another user prepared is never adopted as an external backend
 * ("socket is already used; using it and not spawning") nor unlinked, and a socket directory
 * others could change is refused, so nobody else receives the backend's requests.
 */
class ForeignSocketTest extends SpawnTestSupport {

    /** A listener planted by "the other user": a real socket whose file that user owns. */
    private ServerSocketChannel planted;
    private Path plantedPath;

    @AfterEach
    void removePlantedSocket() throws IOException {
        if (planted != null) {
            planted.close();
            Files.deleteIfExists(plantedPath);
        }
    }

    private SpawnSpec sleeper(Path socket) throws IOException {
        return SpawnSpec.builder("app", List.of(script("app.sh", "exec sleep 600").toString())).socket(socket)
                .procs(1).build();
    }

    private void plantListener(Path path) throws Exception {
        planted = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        planted.bind(UnixDomainSocketAddress.of(path));
        planted.configureBlocking(false);
        plantedPath = path;
        OtherUser.owns(path);
    }

    private SpawnException refused(Path socket, String id) {
        SpawnException e = assertThrows(SpawnException.class, () -> start(sleeper(socket)));
        assertEquals(id, e.id(), e.getMessage());
        return e;
    }

    @Test
    void socketDirectoryPreCreatedByAnotherUserFailsTheStartNamingTheOwner() throws Exception {
        Path theirs = Files.createDirectory(dir.resolve("gatehouse-www"));
        Path socket = theirs.resolve("app.sock");
        plantListener(Path.of(socket + "-0"));
        OtherUser.owns(theirs);
        SpawnException e = refused(socket, "GH-SPAWN-010");
        assertTrue(e.getMessage().contains("socket directory " + theirs + " is owned by uid "
                + OtherUser.uid() + " (" + OtherUser.NAME + ")"), e.getMessage());
        assertNull(planted.accept(), "the other user's listener never got a connection");
        assertTrue(log.stream().noneMatch(l -> l.contains("external")), log.toString());
    }

    @Test
    void directoryOfAnotherUserHigherUpTheSocketPathIsRefusedToo() throws Exception {
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Path ours = Files.createDirectory(theirs.resolve("ours"));
        OtherUser.owns(theirs);
        SpawnException e = refused(ours.resolve("app.sock"), "GH-SPAWN-010");
        assertTrue(e.getMessage().contains("socket directory " + ours + ": " + theirs + " is owned by uid "
                + OtherUser.uid()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void socketOfAnotherUserInAStickyTmpLikeDirectoryIsNeitherAdoptedNorUnlinked(boolean listening) throws Exception {
        Path sticky = stickyDirectory();
        Path socket = sticky.resolve("php.socket");
        Path proc0 = Path.of(socket + "-0");
        plantListener(proc0);
        if (!listening) {
            planted.close();
        }
        long inode = SocketFiles.socketInode(proc0).orElseThrow();
        SpawnException e = refused(socket, "GH-SPAWN-010");
        assertTrue(e.getMessage().contains(proc0 + " is a socket owned by uid " + OtherUser.uid() + " ("
                + OtherUser.NAME + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("never adopts or unlinks another user's socket"), e.getMessage());
        assertEquals(inode, SocketFiles.socketInode(proc0).orElseThrow(), "the file is left where it was");
        if (listening) {
            assertNull(planted.accept(), "not even probed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rwxrwxrwx", "rwxrwx---"})
    void socketDirectoryOthersCanWriteWithoutTheStickyBitIsRefused(String mode) throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString(mode));
        SpawnException e = refused(open.resolve("app.sock"), "GH-SPAWN-011");
        assertTrue(e.getMessage().contains("socket directory " + open + " is writable by group or others (mode "
                + (mode.equals("rwxrwxrwx") ? "777" : "770") + ") without the sticky bit"), e.getMessage());
        assertFalse(SocketFiles.exists(open.resolve("app.sock-0")), "nothing bound there");
    }

    @Test
    void lighttpdStyleSocketInAStickyTmpLikeDirectoryStillWorks() throws Exception {
        Path socket = stickyDirectory().resolve("php.socket");
        SpawnedBackend backend = start(sleeper(socket));
        assertEquals(ProcStatus.State.RUNNING, backend.status().get(0).state());
        assertTrue(SocketFiles.socketInode(Path.of(socket + "-0")).isPresent());
    }

    @Test
    void socketDirectoryGatehouseCreatesIsPrivate() throws Exception {
        Path created = dir.resolve("new/run");
        start(sleeper(created.resolve("app.sock")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(created)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(created.getParent())));
    }

    /** Like /tmp: world-writable with the sticky bit. */
    private Path stickyDirectory() throws Exception {
        Path sticky = Files.createDirectory(dir.resolve("tmp"));
        Files.setPosixFilePermissions(sticky, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(0, new ProcessBuilder("chmod", "+t", sticky.toString()).start().waitFor());
        return sticky;
    }
}
