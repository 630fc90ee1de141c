package io.gatehouse.itest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseCli;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.LogFiles;
import io.gatehouse.itest.support.OtherUser;
import io.gatehouse.itest.support.ProcessTree;
import io.gatehouse.itest.support.RawExchange;
import io.gatehouse.itest.support.TempDirs;
import io.gatehouse.itest.support.UnixListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11's local attacks, findings 9 and 10, replayed against the built jar started as root by
 * {@code bin/gatehouse}, in front of php-cgi spawned by bin-path, while a real second user
 * ({@link OtherUser}, through {@code setpriv}) prepares files, links, directories and listening
 * sockets where gatehouse keeps its state and its backend's socket. The other user's program is
 * both the victim a forged state file names (its pid) and the socket it would have unlinked; after
 * every attack it must still run, its socket file must be the same inode, it must never have been
 * connected to, and what it planted must be as it left it.
 *
 * <p>Each test runs its own gatehouse in a directory of its own ({@code 0755}, so the other user
 * reaches into it) holding {@code shared/}, world-writable with the sticky bit, like /tmp.
 */
@ExtendWith(LeakCheck.class)
class HostileLocalE2ETest {

    /** What an ordinary page says: the start succeeded and php-cgi serves. */
    private static final String HELLO = "Hello from PHP";
    private static final int QUIET_MILLIS = 3000;
    /** Where earlier builds kept the state file without server.pid-file (java.io.tmpdir). */
    private static final Path OLD_STATE_DIR = Path.of("/tmp");

    private Path dir;
    private Path shared;
    private int port;
    private Path legacyState;

    @BeforeEach
    void createDirectories() throws Exception {
        OtherUser.requireRoot();
        dir = TempDirs.create("gh-local");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        shared = Files.createDirectory(dir.resolve("shared"));
        assertEquals(0, new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor());
        port = FreePort.get();
    }

    @AfterEach
    void deleteDirectories() throws IOException {
        if (legacyState != null) {
            Files.deleteIfExists(legacyState);
            Files.deleteIfExists(Path.of(legacyState + ".tmp"));
        }
        TempDirs.deleteRecursively(dir);
    }

    // --- finding 9: the spawn state file -----------------------------------------------------

    /**
     * Finding 9 as found: without {@code server.pid-file} the state file was
     * {@code /tmp/gatehouse-root-<hash>.children}, a name the other user can take first. Planted
     * there: a state file forging a record of the other user's process and socket, an empty file
     * merely touched (which kept root's gatehouse from starting, GH-SPAWN-009), a pre-created
     * {@code .tmp} file of mode 666 and a {@code .tmp} symbolic link to a file of the other user's
     * (both written through, this machine having {@code protected_symlinks} off). gatehouse now
     * keeps the file in its private runtime directory and never looks at the old name: it starts,
     * serves, kills nothing, unlinks nothing and writes through nothing. Against the old build the
     * touched and forged files fail the start, and the two {@code .tmp} plants get written.
     * (The race of a forged file flipped in and out of the name between the owner check and the
     * read is replayed in-process by spawn's {@code StateFileTest}: here there is no read at all.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"forged state file", "touched file", "temp file of mode 666", "temp symbolic link"})
    void filesAnotherUserPlantsAtTheOldTmpStateFileNameAreNeverReadNorWrittenThrough(String plant) throws Exception {
        Path conf = ConfigFiles.spawnedPhpCgi(dir, port);
        legacyState = OLD_STATE_DIR.resolve("gatehouse-root-" + digest(conf) + ".children");
        Path temp = Path.of(legacyState + ".tmp");
        Path bait = shared.resolve("bait");
        try (UnixListener victim = OtherUser.listen(shared.resolve("victim.sock"))) {
            long inode = inode(victim.socket());
            String planted = switch (plant) {
                case "forged state file" -> plantAs(legacyState, forgedRecord(victim, inode));
                case "touched file" -> plantAs(legacyState, "");
                case "temp file of mode 666" -> plantAs(temp, "planted\n");
                default -> {
                    plantAs(bait, "bait\n");
                    OtherUser.run("ln -s \"$1\" \"$2\"", bait.toString(), temp.toString());
                    yield "bait\n";
                }
            };
            if (plant.equals("temp file of mode 666")) {
                OtherUser.run("chmod 666 \"$1\"", temp.toString());
            }
            try (GatehouseProcess gatehouse = GatehouseProcess.startWithLauncher(conf, port, runtimeDirectory())) {
                assertServes(gatehouse);
            }
            assertVictimUntouched(victim, inode);
            Path plantedFile = plant.startsWith("temp") ? (plant.endsWith("link") ? bait : temp) : legacyState;
            assertEquals(planted, Files.readString(plantedFile), "what the other user planted is as they left it");
            OtherUser.assertOwns(plantedFile);
        }
    }

    /**
     * The place gatehouse keeps its state, prepared by the other user: the runtime directory
     * created first by them, or a symbolic link of theirs at its name, or a directory anybody may
     * write (sticky, like /tmp), or a {@code server.pid-file} (beside which the state file goes) in
     * such a directory; each time with a state file forging a record of their process and socket.
     * The start fails saying what it refused, with its GH- code, the path and (when another user's)
     * the owner; nothing of the other user's is killed, unlinked or changed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"their directory", "their symbolic link", "a world-writable directory",
        "a pid file in a world-writable directory"})
    void aStatePlacePreparedByAnotherUserFailsTheStartAndNothingOfTheirsIsTouched(String place) throws Exception {
        Path conf = ConfigFiles.spawnedPhpCgi(dir, port);
        Path runtime = shared.resolve("rt");
        Path state = runtime.resolve("gatehouse-" + digest(conf) + ".children");
        String refusal;
        switch (place) {
            case "their directory" -> {
                OtherUser.run("mkdir \"$1\"", runtime.toString());
                refusal = "GH-SPAWN-012 runtime directory " + runtime + " is not private to gatehouse's user (uid 0): "
                        + runtime + " is owned by uid " + OtherUser.UID + " (" + OtherUser.NAME + ")";
            }
            case "their symbolic link" -> {
                Path target = shared.resolve("theirs");
                OtherUser.run("mkdir \"$1\" && ln -s \"$1\" \"$2\"", target.toString(), runtime.toString());
                state = target.resolve(state.getFileName());
                refusal = "GH-SPAWN-012 runtime directory " + runtime + " is not private to gatehouse's user (uid 0): "
                        + runtime + " is a symbolic link";
            }
            case "a world-writable directory" -> {
                runtime = shared;
                state = shared.resolve(state.getFileName());
                refusal = "GH-SPAWN-012 runtime directory " + shared + " is not private to gatehouse's user (uid 0): "
                        + shared + " is writable by group or others (mode 1777)";
            }
            default -> {
                runtime = dir.resolve("run");
                Path pidFile = shared.resolve("gatehouse.pid");
                ConfigFiles.append(conf, "server.pid-file = " + ConfigFiles.quote(pidFile.toString()));
                state = shared.resolve("gatehouse.pid.children");
                refusal = "GH-PID-002 pid file " + pidFile + ": its directory is not private to gatehouse's user: "
                        + shared + " is writable by group or others (mode 1777)";
            }
        }
        try (UnixListener victim = OtherUser.listen(shared.resolve("victim.sock"))) {
            long inode = inode(victim.socket());
            String forged = plantAs(state, forgedRecord(victim, inode));
            GatehouseCli.Result start = GatehouseCli.runWithLauncher(conf, Map.of("RUNTIME_DIRECTORY",
                    runtime.toString()));
            assertEquals(1, start.exitCode(), start.describe());
            assertTrue(start.stderr().contains(refusal), "the refusal says what and why: " + start.describe());
            assertVictimUntouched(victim, inode);
            assertEquals(forged, Files.readString(state), "the forged file is left as it was");
            assertFalse(Files.exists(dir.resolve("php.sock-0"), LinkOption.NOFOLLOW_LINKS), "nothing was spawned");
        }
    }

    // --- finding 10: socket directories and sockets of another user ------------------------

    /**
     * Finding 10: the other user creates the backend's socket directory first and listens on
     * {@code <socket>-0} in it. gatehouse used to log "socket is already used; using it and not
     * spawning" and send its clients' requests, cookies included, to that listener. Now the start
     * fails with GH-SPAWN-010 naming the directory and its owner, and the listener is never
     * connected to.
     */
    @Test
    void aSocketDirectoryAnotherUserCreatedFirstIsNeverAdopted() throws Exception {
        Path theirs = shared.resolve("gatehouse-php");
        OtherUser.run("mkdir \"$1\"", theirs.toString());
        Path socket = theirs.resolve("php.sock");
        try (UnixListener listener = OtherUser.listen(Path.of(socket + "-0"))) {
            assertStartRefusedAndListenerUntouched(socket, listener, "GH-SPAWN-010", "socket directory " + theirs
                    + " is owned by uid " + OtherUser.UID + " (" + OtherUser.NAME + ")");
        }
    }

    /**
     * Finding 10's neighbour where the directory is fine (sticky and world-writable, like /tmp and
     * lighttpd's {@code "socket" => "/tmp/php.socket"}): the other user's socket at
     * {@code <socket>-0} is neither adopted as an external backend nor unlinked.
     */
    @Test
    void aSocketAnotherUserListensOnAtTheSpawnPathIsNeitherAdoptedNorUnlinked() throws Exception {
        Path socket = shared.resolve("php.socket");
        Path proc0 = Path.of(socket + "-0");
        try (UnixListener listener = OtherUser.listen(proc0)) {
            assertStartRefusedAndListenerUntouched(socket, listener, "GH-SPAWN-010", proc0
                    + " is a socket owned by uid " + OtherUser.UID + " (" + OtherUser.NAME + ")");
        }
    }

    /**
     * Finding 10 through a reload: a config whose socket directory the other user took is loaded by
     * SIGUSR1. The reload fails with GH-SPAWN-010 in the error log and the old generation keeps
     * serving; the other user's listener is never connected to.
     */
    @Test
    void aReloadOntoASocketDirectoryOfAnotherUserFailsAndTheOldGenerationServes() throws Exception {
        Path conf = ConfigFiles.spawnedPhpCgi(dir, port);
        Path theirs = shared.resolve("gatehouse-php");
        OtherUser.run("mkdir \"$1\"", theirs.toString());
        Path socket = theirs.resolve("php.sock");
        try (UnixListener listener = OtherUser.listen(Path.of(socket + "-0"));
                GatehouseProcess gatehouse = GatehouseProcess.startWithLauncher(conf, port, runtimeDirectory())) {
            assertServes(gatehouse);
            String config = Files.readString(conf);
            Files.writeString(conf, config.replace(ConfigFiles.quote(dir.resolve("php.sock").toString()),
                    ConfigFiles.quote(socket.toString())));
            gatehouse.signal("USR1");
            LogFiles.await(dir.resolve(ConfigFiles.ERROR_LOG), "GH-SPAWN-010", Duration.ofSeconds(20),
                    gatehouse::logTail);
            assertTrue(LogFiles.read(dir.resolve(ConfigFiles.ERROR_LOG)).contains("socket directory " + theirs
                    + " is owned by uid " + OtherUser.UID), LogFiles.read(dir.resolve(ConfigFiles.ERROR_LOG)));
            assertServes(gatehouse);
            assertEquals(0, listener.accepted(), "the other user's listener got a connection");
        }
    }

    private void assertStartRefusedAndListenerUntouched(Path socket, UnixListener listener, String code,
            String reason) throws IOException {
        long inode = inode(listener.socket());
        Path conf = ConfigFiles.spawnedPhpCgi(dir, port, socket);
        GatehouseCli.Result start = GatehouseCli.runWithLauncher(conf, runtimeDirectory());
        assertNotEquals(0, start.exitCode(), start.describe());
        String said = start.stdout() + start.stderr() + LogFiles.read(dir.resolve(ConfigFiles.ERROR_LOG));
        assertTrue(said.contains(code) && said.contains(reason), "refused with " + code + ", " + reason + ": "
                + start.describe());
        assertFalse(said.contains("using it and not spawning"), "adopted: " + said);
        assertEquals(0, listener.accepted(), "the other user's listener got a connection");
        assertVictimUntouched(listener, inode);
    }

    // --- helpers -----------------------------------------------------------------------------

    /** The runtime directory root's gatehouse gets here (systemd's RuntimeDirectory=, not /run/gatehouse). */
    private Map<String, String> runtimeDirectory() {
        return Map.of("RUNTIME_DIRECTORY", dir.resolve("run").toString());
    }

    /** {@code content} written to {@code file} by the other user; returns the content. */
    private static String plantAs(Path file, String content) {
        OtherUser.run("printf '%s' \"$1\" > \"$2\"", content, file.toString());
        OtherUser.assertOwns(file);
        return content;
    }

    /**
     * A state-file record (spawn's format: pid, start time, signal, kill timeout, socket inode,
     * proc, label, socket) naming the other user's process and socket: believed, it would have
     * root SIGKILL that process's group and unlink that socket.
     */
    private static String forgedRecord(UnixListener victim, long inode) {
        long start = ProcessTree.info(victim.pid()).orElseThrow().startTicks();
        return "child " + victim.pid() + " " + start + " 9 500 " + inode + " 0 forged " + victim.socket() + "\n";
    }

    private static void assertVictimUntouched(UnixListener victim, long inode) throws IOException {
        assertTrue(victim.isAlive(), "the other user's process was killed");
        assertEquals(inode, inode(victim.socket()), "the other user's socket was unlinked or replaced");
    }

    private void assertServes(GatehouseProcess gatehouse) throws IOException {
        RawExchange ok = RawExchange.send(port, "GET /hello.php HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                QUIET_MILLIS);
        assertEquals(200, ok.status(), ok + "\n" + gatehouse.logTail());
        assertTrue(ok.text().contains(HELLO), ok.toString());
    }

    private static long inode(Path path) throws IOException {
        return (Long) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** The hash in the state file's name: of the config's absolute path, as gatehouse names it. */
    private static String digest(Path conf) throws NoSuchAlgorithmException {
        byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest(conf.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash).substring(0, 16);
    }
}
