package io.gatehouse.conf;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static io.gatehouse.conf.Configs.parse;
import static io.gatehouse.conf.Configs.parseLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server-wide directives, their defaults, and the warnings for keys gatehouse ignores. */
class DirectivesTest {

    private static List<String> warnings(ServerConfig config) {
        return config.warnings().stream().map(ConfigWarning::toString).toList();
    }

    @Test
    void emptyConfigHasLighttpdDefaults() throws ConfigException {
        ServerConfig config = parse("");
        assertEquals(1, config.listeners().size());
        ListenerConfig listener = config.listeners().get(0);
        assertEquals("0.0.0.0:80", listener.token());
        assertEquals(Optional.of(new InetSocketAddress("0.0.0.0", 80)), listener.inetAddress());
        assertEquals(new SourceLocation(Configs.FILE, 1, 1), listener.location());
        assertEquals(Duration.ofSeconds(8), config.gracefulShutdownTimeout());
        assertEquals(0, config.maxRequestSizeBytes());
        assertEquals("gatehouse", config.serverTag());
        assertEquals(Optional.empty(), config.pidFile());
        assertEquals(Optional.empty(), config.errorLog());
        assertEquals(Optional.empty(), config.breakageLog());
        assertEquals(Optional.empty(), config.accessLog());
        assertEquals("%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"", config.accessLogFormat());
        assertEquals(Optional.empty(), config.statusUrl());
        assertEquals(Set.of(), config.modules());
        assertFalse(config.systemdSocketActivation());
        assertEquals(ConnectionLimits.DEFAULTS, config.connectionLimits());
        assertEquals(List.of("index.php", "index.html", "index.htm"), config.global().indexFiles());
        assertEquals(Optional.empty(), config.global().documentRoot());
        assertEquals(List.of(), config.global().routes());
        assertEquals(0, config.global().debugLevel(Protocol.FASTCGI));
        assertEquals(Balance.LEAST_CONNECTION, config.global().balance(Protocol.SCGI));
        assertEquals(List.of(), config.conditionals());
        assertEquals(List.of(), config.warnings());
        assertEquals(Optional.empty(), config.source());
    }

    @Test
    void everyServerDirectiveIsRead() throws ConfigException {
        ServerConfig config = parseLines(
                "server.bind = \"127.0.0.1\"",
                "server.port = 8080",
                "server.document-root = \"/srv/www\"",
                "server.pid-file = \"/run/gatehouse.pid\"",
                "server.errorlog = \"/var/log/gatehouse/error.log\"",
                "server.breakagelog = \"/var/log/gatehouse/breakage.log\"",
                "server.modules = ( \"mod_indexfile\", \"mod_fastcgi\", \"mod_accesslog\", \"mod_status\", \"mod_staticfile\" )",
                "server.max-request-size = 2048",
                "server.tag = \"\"",
                "server.systemd-socket-activation = \"enable\"",
                "index-file.names = ( \"app.php\" )",
                "accesslog.filename = \"/var/log/gatehouse/access.log\"",
                "accesslog.format = \"%h %r %>s\"",
                "status.statistics-url = \"/server-counters\"",
                "fastcgi.debug = 2",
                "scgi.map-extensions = ( \".py3\" => \".py\" )",
                "server.max-keep-alive-requests = 100",
                "server.max-keep-alive-idle = 10",
                "server.max-read-idle = 30",
                "server.max-write-idle = 120",
                "server.max-connections = 512",
                "server.max-fds = 2048",
                "server.listen-backlog = 128");
        assertEquals("127.0.0.1:8080", config.listeners().get(0).token());
        assertEquals(Optional.of(Path.of("/srv/www")), config.global().documentRoot());
        assertEquals(Optional.of(Path.of("/run/gatehouse.pid")), config.pidFile());
        assertEquals(Optional.of(Path.of("/var/log/gatehouse/error.log")), config.errorLog());
        assertEquals(Optional.of(Path.of("/var/log/gatehouse/breakage.log")), config.breakageLog());
        assertEquals(List.of("mod_indexfile", "mod_fastcgi", "mod_accesslog", "mod_status", "mod_staticfile"),
                List.copyOf(config.modules()));
        assertEquals(2048 * 1024L, config.maxRequestSizeBytes());
        assertEquals("", config.serverTag());
        assertTrue(config.systemdSocketActivation());
        assertEquals(List.of("app.php"), config.global().indexFiles());
        assertEquals(Optional.of(Path.of("/var/log/gatehouse/access.log")), config.accessLog());
        assertEquals("%h %r %>s", config.accessLogFormat());
        assertEquals(Optional.of("/server-counters"), config.statusUrl());
        assertEquals(2, config.global().debugLevel(Protocol.FASTCGI));
        assertEquals(0, config.global().debugLevel(Protocol.SCGI));
        assertEquals(Map.of(".py3", ".py"), config.global().mapExtensions(Protocol.UWSGI));
        assertEquals(new ConnectionLimits(100, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(120),
                512, 128, 2048), config.connectionLimits());
        assertEquals(Optional.of(new SourceLocation(Configs.FILE, 4, 1)), config.locationOf("server.pid-file"));
        assertEquals(Optional.of(new SourceLocation(Configs.FILE, 3, 1)),
                config.global().locationOf("server.document-root"));
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void maxFdsIsZeroOrWithinTheRangeAJvmCanLiveWith() throws ConfigException {
        assertEquals(0, parse("").connectionLimits().maxFds());
        assertEquals(256, parse("server.max-fds = 256\n").connectionLimits().maxFds());
        assertEquals(65535, parse("server.max-fds = 65535\n").connectionLimits().maxFds());
        for (String bad : List.of("255", "1", "65536", "\"many\"")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> parse("server.port = 80\nserver.max-fds = " + bad + "\n"), bad);
            assertTrue(e.getMessage().startsWith("test.conf:2:"), e.getMessage());
            assertTrue(e.getMessage().contains("server.max-fds"), e.getMessage());
        }
    }

    @Test
    void maxConnectionsFollowLighttpdsRuleFromTheDescriptors() {
        ConnectionLimits derived = ConnectionLimits.DEFAULTS;
        assertEquals(4096, derived.descriptors(1_048_576), "without server.max-fds: the limit, up to 4096");
        assertEquals(1024, derived.descriptors(1024));
        assertEquals(1365, derived.maxConnections(derived.descriptors(1_048_576)), "a third of 4096");
        ConnectionLimits fds = new ConnectionLimits(1000, Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(360), 0, 1024, 300);
        assertEquals(300, fds.descriptors(1_048_576));
        assertEquals(200, fds.descriptors(200), "never more than the limit in effect");
        assertEquals(100, fds.maxConnections(fds.descriptors(1_048_576)));
        ConnectionLimits both = new ConnectionLimits(1000, Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(360), 500, 1024, 300);
        assertEquals(150, both.maxConnections(both.descriptors(1_048_576)), "at most half the descriptors");
        ConnectionLimits fewer = new ConnectionLimits(1000, Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(360), 20, 1024, 300);
        assertEquals(20, fewer.maxConnections(fewer.descriptors(1_048_576)));
    }

    @Test
    void bindForms() throws ConfigException {
        assertEquals("[::1]:80", parse("server.bind = \"::1\"\n").listeners().get(0).token());
        assertEquals("[::]:8080", parse("server.bind = \"[::]\"\nserver.port = 8080\n").listeners().get(0).token());
        assertEquals("localhost:80", parse("server.bind = \"localhost\"\n").listeners().get(0).token());
        assertTrue(parse("server.bind = \"localhost\"\n").listeners().get(0).inetAddress().get().isUnresolved());
        ListenerConfig unix = parse("server.bind = \"/run/gatehouse.sock\"\nserver.port = 81\n").listeners().get(0);
        assertEquals(Optional.of(Path.of("/run/gatehouse.sock")), unix.unixPath());
        assertEquals(Optional.empty(), unix.inetAddress());
        assertEquals(new SourceLocation(Configs.FILE, 1, 15), unix.location());
    }

    @Test
    void gracefulTimeoutFromFeatureFlagsOrTopLevel() throws ConfigException {
        ServerConfig flags = parse("server.feature-flags += ( \"server.graceful-shutdown-timeout\" => 5,"
                + " \"server.graceful-restart-bg\" => \"enable\" )\n");
        assertEquals(Duration.ofSeconds(5), flags.gracefulShutdownTimeout());
        assertEquals(Map.of("server.graceful-shutdown-timeout", "5", "server.graceful-restart-bg", "enable"),
                flags.featureFlags());
        assertEquals(Duration.ZERO, parse("server.graceful-shutdown-timeout = 0\n").gracefulShutdownTimeout());
        ServerConfig both = parseLines("server.graceful-shutdown-timeout = 3",
                "server.feature-flags = ( \"server.graceful-shutdown-timeout\" => \"4\" )");
        assertEquals(Duration.ofSeconds(4), both.gracefulShutdownTimeout());
        assertEquals(List.of("test.conf:2:64: server.graceful-shutdown-timeout is set both as a feature flag (4)"
                + " and at the top level (3); using the feature flag"), warnings(both));
    }

    @Test
    void portFromTheEnvironment() throws ConfigException {
        assertEquals(8081, parse("server.port = env.PORT\n").listeners().get(0).port());
    }

    @Test
    void oldIndexFileNameIsAccepted() throws ConfigException {
        assertEquals(List.of("old.php"), parse("server.indexfiles = ( \"old.php\" )\n").global().indexFiles());
        assertEquals(List.of("new.php"), parseLines("server.indexfiles = ( \"old.php\" )",
                "index-file.names = ( \"new.php\" )").global().indexFiles());
    }

    @Test
    void ignoredKeysWarnWithTheirLocation() throws ConfigException {
        ServerConfig config = parseLines(
                "server.modules = ( \"mod_fastcgi\", \"mod_rewrite\", \"mod_openssl\" )",
                "url.rewrite-once = ( \"^/a\" => \"/b\" )",
                "  ssl.stek-file = \"/etc/stek\"",
                "server.username = \"www-data\"",
                "server.groupname = \"www-data\"",
                "server.max-worker = 4",
                "mimetype.use-xattr = \"enable\"",
                "foo.bar = 1",
                "server.bogus = 2",
                "$HTTP[\"host\"] == \"a\" {",
                "  server.port = 81",
                "  accesslog.filename = \"/tmp/a.log\"",
                "  alias.url = ( \"/x\" => \"/y\" )",
                "}",
                "server.errorlog = \"|/usr/bin/logger\"");
        assertEquals(List.of(
                "test.conf:1:35: module 'mod_rewrite' is not implemented by gatehouse (ignored)",
                "test.conf:2:1: 'url.rewrite-once' is a mod_rewrite setting that gatehouse does not implement (ignored)",
                "test.conf:3:3: 'ssl.stek-file' is a mod_openssl setting that gatehouse does not implement (ignored)",
                "test.conf:4:1: 'server.username' is not supported, ignored (run gatehouse as the intended user instead)",
                "test.conf:5:1: 'server.groupname' is not supported, ignored (run gatehouse as the intended user instead)",
                "test.conf:6:1: 'server.max-worker' is a lighttpd setting that gatehouse does not implement (ignored)",
                "test.conf:7:1: 'mimetype.use-xattr' is a lighttpd setting that gatehouse does not implement (ignored)",
                "test.conf:8:1: unknown config key 'foo.bar' (ignored)",
                "test.conf:9:1: unknown config key 'server.bogus' (ignored)",
                "test.conf:11:3: 'server.port' is only read at the top level, not inside a condition (ignored)",
                "test.conf:12:3: 'accesslog.filename' is only read at the top level, not inside a condition (ignored)",
                "test.conf:13:3: 'alias.url' is a mod_alias setting that gatehouse does not implement (ignored)",
                "test.conf:15:19: server.errorlog \"|/usr/bin/logger\" is a piped logger, which gatehouse does not"
                        + " support (ignored)"), warnings(config));
        assertEquals(80, config.listeners().get(0).port());
        assertEquals(Optional.empty(), config.errorLog());
        assertEquals(Optional.empty(), config.accessLog());
    }

    @Test
    void backendDirectivesWithoutTheirModuleWarnButWork() throws ConfigException {
        ServerConfig config = parseLines(
                "server.modules = ( \"mod_accesslog\" )",
                "",
                "fastcgi.server = ( \".php\" => ( ( \"socket\" => \"/s\" ) ) )");
        assertEquals(List.of("test.conf:3:1: fastcgi.server is set but server.modules does not list mod_fastcgi"
                + " (lighttpd would ignore it; gatehouse uses it)"), warnings(config));
        assertEquals(1, config.global().routes().size());
    }
}
