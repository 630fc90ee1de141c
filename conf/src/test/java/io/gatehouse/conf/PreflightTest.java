package io.gatehouse.conf;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** -tt against real files, a real unix socket and an injected uid; nothing is bound or spawned. */
class PreflightTest {

    private static final long ROOT = 0;
    private static final long USER = 1000;

    private Path dir;
    private Path conf;
    private Path program;

    @BeforeEach
    void files() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ghpf");
        conf = dir.resolve("gh.conf");
        program = dir.resolve("app");
        Files.writeString(program, "#!/bin/sh\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("www"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("log"));
    }

    @AfterEach
    void removeFiles() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Parses {@code lines} from the config file; "$D" stands for the test directory. */
    private ServerConfig config(String... lines) throws IOException, ConfigException {
        Files.writeString(conf, String.join("\n", lines).replace("$D", dir.toString()) + "\n");
        return ConfigParser.parse(conf, Map.of());
    }

    private String at(int line, int column) {
        return conf + ":" + line + ":" + column;
    }

    /** The location of the first {@code marker} ("$D" expanded) on {@code line} of the written config. */
    private String at(int line, String marker) throws IOException {
        String text = Files.readAllLines(conf).get(line - 1);
        int index = text.indexOf(marker.replace("$D", dir.toString()));
        assertTrue(index >= 0, marker + " not on line " + line);
        return at(line, index + 1);
    }

    private ServerConfig healthy() throws IOException, ConfigException {
        return config(
                "server.port = 8080",
                "server.document-root = \"$D/www\"",
                "server.pid-file = \"$D/run/gh.pid\"",
                "server.errorlog = \"$D/log/error.log\"",
                "accesslog.filename = \"$D/log/access.log\"",
                "fastcgi.server = ( \".php\" => ( ( \"socket\" => \"$D/run/php.sock\", \"bin-path\" => \"$D/app -x\","
                        + " \"max-procs\" => 2 ) ) )");
    }

    @Test
    void aHealthyConfigPasses() throws Exception {
        assertEquals(List.of(), Preflight.check(healthy(), USER));
    }

    @Test
    void anExistingSocketIsFineAndAMissingCreatableSocketDirectoryToo() throws Exception {
        Path socket = dir.resolve("run/php.sock-0");
        try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.bind(UnixDomainSocketAddress.of(socket));
            assertEquals(List.of(), Preflight.check(healthy(), USER));
        } finally {
            Files.deleteIfExists(socket);
        }
        ServerConfig config = config("fastcgi.server = ( \".php\" => ( ( \"socket\" => \"$D/new/sub/php.sock\","
                + " \"bin-path\" => \"$D/app\" ) ) )", "server.port = 8080");
        assertEquals(List.of(), Preflight.check(config, USER));
    }

    @Test
    void binPathThatIsNotAnExecutableRegularFile() throws Exception {
        ServerConfig config = healthy();
        String binPathAt = at(6, "\"$D/app -x");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of(binPathAt + ": bin-path " + program + " is not executable, expected an executable regular"
                + " file"), Preflight.check(config, USER));
        Files.delete(program);
        assertEquals(List.of(binPathAt + ": bin-path " + program + " does not exist, expected an executable regular file"),
                Preflight.check(config, USER));
        Files.createDirectories(program);
        assertEquals(List.of(binPathAt + ": bin-path " + program + " is not a regular file, expected an executable"
                + " regular file"), Preflight.check(config, USER));
    }

    @Test
    void aRegularFileWhereASocketGoesIsReportedNeverRemoved() throws Exception {
        Path squatter = dir.resolve("run/php.sock-1");
        Files.writeString(squatter, "precious");
        ServerConfig config = healthy();
        assertEquals(List.of(at(6, "\"$D/run/php.sock\"") + ": backend socket path " + squatter + " exists and is not"
                + " a socket; gatehouse never deletes it: remove it or choose another path"), Preflight.check(config, USER));
        assertEquals("precious", Files.readString(squatter));
        ServerConfig external = config("fastcgi.server = ( \".php\" => ( ( \"socket\" => \"$D/run/php.sock-1\" ) ) )",
                "server.port = 8080");
        assertEquals(List.of(at(1, "\"$D/run/php.sock-1") + ": backend socket path " + squatter + " exists and is not"
                + " a socket; gatehouse never deletes it: remove it or choose another path"), Preflight.check(external, USER));
    }

    @Test
    void socketDirectoryThatCannotBeCreated() throws Exception {
        Files.writeString(dir.resolve("run/file"), "");
        ServerConfig config = config("fastcgi.server = ( \".php\" => ( ( \"socket\" => \"$D/run/file/sub/php.sock\","
                + " \"bin-path\" => \"$D/app\" ) ) )", "server.port = 8080");
        assertEquals(List.of(at(1, "\"$D/run/file/sub") + ": backend socket directory " + dir.resolve("run/file/sub")
                + " does not exist and cannot be created (" + dir.resolve("run/file") + " is not a directory)"),
                Preflight.check(config, USER));
    }

    @Test
    void missingDocumentRootsAndLogDirectories() throws Exception {
        ServerConfig config = config(
                "server.port = 8080",
                "server.document-root = \"$D/missing\"",
                "$HTTP[\"host\"] == \"a\" {",
                "  server.document-root = \"$D/app\"",
                "}",
                "server.pid-file = \"$D/nodir/gh.pid\"",
                "server.errorlog = \"$D/www\"",
                "server.breakagelog = \"$D/log/breakage.log\"");
        assertEquals(List.of(
                at(2, 1) + ": server.document-root " + dir.resolve("missing") + " does not exist",
                at(4, 3) + ": server.document-root " + program + " is not a directory",
                at(6, 1) + ": server.pid-file directory " + dir.resolve("nodir") + " does not exist",
                at(7, 1) + ": server.errorlog " + dir.resolve("www") + " is not a writable file"),
                Preflight.check(config, USER));
    }

    @Test
    void privilegedPortsNeedRootAndUnixListenersNeedAFreePath() throws Exception {
        Files.writeString(dir.resolve("run/front.sock"), "");
        ServerConfig config = config("server.port = 80", "$SERVER[\"socket\"] == \"$D/run/front.sock\" { }",
                "$SERVER[\"socket\"] == \":8080\" { }");
        assertEquals(List.of(
                at(1, 15) + ": listener 0.0.0.0:80 uses port 80, below 1024, which needs root (running as uid 1000)",
                at(2, 1) + ": listener path " + dir.resolve("run/front.sock") + " exists and is not a socket;"
                        + " gatehouse never deletes it: remove it or choose another path"),
                Preflight.check(config, USER));
        assertEquals(1, Preflight.check(config, ROOT).size());
    }

    @Test
    void privilegedPortsPassWithSocketActivationSinceSystemdMayBindThem() throws Exception {
        ServerConfig config = config("server.port = 80", "server.systemd-socket-activation = \"enable\"");
        assertEquals(List.of(), Preflight.check(config, USER));
    }

    @Test
    void theUidComesFromTheRunningProcess() {
        long uid = Preflight.effectiveUid();
        assertTrue(uid >= 0, "uid " + uid);
        assertFalse(Preflight.check(ServerConfig.builder().listen("127.0.0.1", 8080).build()).iterator().hasNext());
    }
}
