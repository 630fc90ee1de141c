package io.gatehouse.core.internal.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.google.common.hash.Hashing;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.spawn.StateFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, item 9: without {@code server.pid-file} the state file used to be
 * {@code /tmp/gatehouse-<user>-<hash>.children}, a name anybody could create first. It now lives
 * in the runtime directory; what is planted at the old name is never looked at.
 */
class StateFileLocationTest {

    /** Any uid but ours: ownership is what matters, not whether a user has that uid. */
    private static final int OTHER_UID = 4242;

    private Path dir;
    private Path oldLocation;

    @BeforeEach
    void createDirectory() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ghl");
    }

    @AfterEach
    void deleteFiles() throws Exception {
        if (oldLocation != null) {
            Files.deleteIfExists(oldLocation);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void forgedStateFileOfAnotherUserAtTheOldTmpNameIsNeverRead() throws Exception {
        ServerConfig config = spawningConfig();
        Process victim = new ProcessBuilder("sleep", "60").start();
        try {
            oldLocation = oldLocation(config);
            String forged = "child " + victim.pid() + " " + startTime(victim.pid()) + " 9 500 0 0 forged -\n";
            plant(oldLocation, forged);

            StateFile state = BackendProcesses.stateFileFor(config, ErrorLog.stderr(), runtimeDirectory());

            assertEquals(dir.resolve("rt"), state.path().getParent(), "the state file is in the runtime directory");
            assertTrue(victim.isAlive(), "the forged record was not acted on");
            assertEquals(forged, Files.readString(oldLocation), "the planted file is left alone");
        } finally {
            victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void fileMerelyTouchedByAnotherUserAtTheOldTmpNameDoesNotBlockTheStart() throws Exception {
        ServerConfig config = spawningConfig();
        oldLocation = oldLocation(config);
        plant(oldLocation, "");
        StateFile state = BackendProcesses.stateFileFor(config, ErrorLog.stderr(), runtimeDirectory());
        assertEquals(dir.resolve("rt"), state.path().getParent());
        assertTrue(Files.exists(oldLocation, LinkOption.NOFOLLOW_LINKS), "never deleted");
    }

    private Map<String, String> runtimeDirectory() {
        return Map.of("RUNTIME_DIRECTORY", dir.resolve("rt").toString());
    }

    private static ServerConfig spawningConfig() {
        BackendConfig backend = BackendConfig.spawn("/bin/true").label("php").socket(Path.of("/tmp/ghl-php.sock"))
                .build();
        return ServerConfig.builder().listen("127.0.0.1", 1).route(Route.of(".php", Protocol.FASTCGI, backend))
                .build();
    }

    /** Where the state file of {@code config} was kept before: a shared, predictable name. */
    private static Path oldLocation(ServerConfig config) {
        String digest = Hashing.sha256().hashString(config.listeners().toString(), StandardCharsets.UTF_8).toString()
                .substring(0, 16);
        return Path.of(System.getProperty("java.io.tmpdir"),
                "gatehouse-" + System.getProperty("user.name") + "-" + digest + ".children");
    }

    private static void plant(Path path, String content) throws Exception {
        Files.writeString(path, content);
        Files.setAttribute(path, "unix:uid", OTHER_UID, LinkOption.NOFOLLOW_LINKS);
    }

    private static long startTime(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }
}
