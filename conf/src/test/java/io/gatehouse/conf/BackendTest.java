package io.gatehouse.conf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.gatehouse.conf.Configs.parse;
import static io.gatehouse.conf.Configs.parseLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fastcgi.server / scgi.server: options, lighttpd's defaults, labels, sharing and route order. */
class BackendTest {

    private static BackendConfig only(String options) throws ConfigException {
        ServerConfig config = parse("fastcgi.server = ( \".php\" => ( \"php\" => ( " + options + " ) ) )\n");
        assertEquals(1, config.allBackends().size());
        return config.allBackends().get(0);
    }

    @Test
    void spawnedUnixBackendGetsLighttpdDefaults() throws ConfigException {
        BackendConfig b = only("\"socket\" => \"/run/php.sock\", \"bin-path\" => \"/usr/bin/php-cgi\"");
        assertEquals("php", b.label());
        assertEquals(Protocol.FASTCGI, b.protocol());
        assertEquals(Optional.of(Path.of("/run/php.sock")), b.socket());
        assertEquals(Optional.empty(), b.host());
        assertEquals(0, b.port());
        assertEquals(Optional.of(List.of("/usr/bin/php-cgi")), b.binPath());
        assertEquals(Map.of(), b.binEnvironment());
        assertEquals(List.of(), b.binCopyEnvironment());
        assertEquals(4, b.maxProcs());
        assertEquals(4, b.minProcs());
        assertEquals(1, b.maxLoadPerProc());
        assertEquals(Duration.ofSeconds(60), b.idleTimeout());
        assertEquals(15, b.killSignal());
        assertEquals(Duration.ofSeconds(5), b.killTimeout());
        assertTrue(b.checkLocal());
        assertEquals(Optional.empty(), b.docroot());
        assertFalse(b.fixRootScriptname());
        assertFalse(b.brokenScriptfilename());
        assertEquals(Optional.empty(), b.stripRequestUri());
        assertFalse(b.xSendfile());
        assertEquals(List.of(), b.xSendfileDocroot());
        assertEquals(Duration.ofSeconds(8), b.connectTimeout());
        assertEquals(Duration.ZERO, b.readTimeout());
        assertEquals(Duration.ZERO, b.writeTimeout());
        assertEquals(Duration.ofSeconds(1), b.disableTime());
        assertEquals(1024, b.listenBacklog());
        assertEquals("responder", b.mode());
        assertEquals("sequenced", b.restartMode());
        assertFalse(b.keepAlive());
        assertEquals(0, b.maxConnections());
        assertFalse(b.tcpFinPropagate());
        assertFalse(b.upgrade());
        assertTrue(b.isUnix());
        assertTrue(b.isSpawned());
        assertEquals(new SourceLocation(Configs.FILE, 1, 41), b.location());
        assertEquals(new SourceLocation(Configs.FILE, 1, 55), b.optionLocation("socket"));
    }

    @Test
    void everyOptionIsRead() throws ConfigException {
        BackendConfig b = only(String.join(", ",
                "\"socket\" => \"/run/app.sock\"", "\"bin-path\" => \"/opt/app/bin/app  --workers\t2\"",
                "\"bin-environment\" => ( \"B\" => \"2\", \"A\" => 1 )", "\"bin-copy-environment\" => ( \"PATH\", \"HOME\" )",
                "\"max-procs\" => \"3\"", "\"min-procs\" => 8", "\"max-load-per-proc\" => 2", "\"idle-timeout\" => 30",
                "\"kill-signal\" => \"SIGUSR1\"", "\"kill-timeout\" => 2", "\"check-local\" => \"disable\"",
                "\"docroot\" => \"/srv/app\"", "\"fix-root-scriptname\" => \"enable\"", "\"broken-scriptfilename\" => 1",
                "\"strip-request-uri\" => \"/app//\"", "\"x-sendfile\" => \"TRUE\"",
                "\"x-sendfile-docroot\" => ( \"/srv/files\", \"/tmp\" )", "\"connect-timeout\" => 3",
                "\"read-timeout\" => 20", "\"write-timeout\" => \"21\"", "\"disable-time\" => 0", "\"listen-backlog\" => 64",
                "\"mode\" => \"authorizer\"", "\"restart-mode\" => \"overlap\"", "\"keep-alive\" => \"enabled\"",
                "\"max-connections\" => 4", "\"tcp-fin-propagate\" => \"Enable\"", "\"upgrade\" => 0"));
        assertEquals(Optional.of(List.of("/opt/app/bin/app", "--workers", "2")), b.binPath());
        assertEquals(List.of("B", "A"), List.copyOf(b.binEnvironment().keySet()));
        assertEquals("1", b.binEnvironment().get("A"));
        assertEquals(List.of("PATH", "HOME"), b.binCopyEnvironment());
        assertEquals(3, b.maxProcs());
        assertEquals(3, b.minProcs());
        assertEquals(2, b.maxLoadPerProc());
        assertEquals(Duration.ofSeconds(30), b.idleTimeout());
        assertEquals(10, b.killSignal());
        assertEquals(Duration.ofSeconds(2), b.killTimeout());
        assertFalse(b.checkLocal());
        assertEquals(Optional.of(Path.of("/srv/app")), b.docroot());
        assertTrue(b.fixRootScriptname());
        assertTrue(b.brokenScriptfilename());
        assertEquals(Optional.of("/app"), b.stripRequestUri());
        assertTrue(b.xSendfile());
        assertEquals(List.of(Path.of("/srv/files"), Path.of("/tmp")), b.xSendfileDocroot());
        assertEquals(Duration.ofSeconds(3), b.connectTimeout());
        assertEquals(Duration.ofSeconds(20), b.readTimeout());
        assertEquals(Duration.ofSeconds(21), b.writeTimeout());
        assertEquals(Duration.ZERO, b.disableTime());
        assertEquals(64, b.listenBacklog());
        assertEquals("authorizer", b.mode());
        assertEquals("overlap", b.restartMode());
        assertTrue(b.keepAlive());
        assertEquals(4, b.maxConnections());
        assertTrue(b.tcpFinPropagate());
        assertFalse(b.upgrade());
    }

    @ParameterizedTest
    @CsvSource({"SIGTERM,15", "TERM,15", "sigusr1,10", "USR2,12", "SIGKILL,9", "HUP,1", "2,2", "'\"3\"',3"})
    void killSignalByNameOrNumber(String value, int number) throws ConfigException {
        String written = value.startsWith("\"") ? value : value.matches("[0-9]+") ? value : "\"" + value + "\"";
        assertEquals(number, only("\"socket\" => \"/s\", \"kill-signal\" => " + written).killSignal());
    }

    @Test
    void tcpBackendsDefaultTheirHostAndPort() throws ConfigException {
        BackendConfig fpm = only("\"host\" => \"127.0.0.1\", \"port\" => 9000");
        assertEquals(Optional.of("127.0.0.1"), fpm.host());
        assertEquals(9000, fpm.port());
        assertFalse(fpm.isUnix());
        assertFalse(fpm.isSpawned());
        assertEquals(80, only("\"host\" => \"backend.internal\"").port());
        assertEquals(Optional.of("127.0.0.1"), only("\"port\" => env.PORT").host());
        assertEquals(8081, only("\"port\" => env.PORT").port());
        BackendConfig spawned = only("\"bin-path\" => \"/usr/bin/app\", \"port\" => 9100, \"max-procs\" => 2");
        assertEquals(Optional.of("127.0.0.1"), spawned.host());
        assertEquals(9100, spawned.port());
    }

    @Test
    void hostStartingWithSlashIsASocket() throws ConfigException {
        BackendConfig b = only("\"host\" => \"/run/php-fpm.sock\"");
        assertEquals(Optional.of(Path.of("/run/php-fpm.sock")), b.socket());
        assertEquals(Optional.empty(), b.host());
    }

    @Test
    void labelsAreWrittenOrKeyPlusIndex() throws ConfigException {
        ServerConfig config = parseLines(
                "fastcgi.server = (",
                "  \".php\" => ( ( \"socket\" => \"/s1\" ), ( \"socket\" => \"/s2\" ) ),",
                "  \"/app\" => ( \"first\" => ( \"socket\" => \"/s3\" ), \"second\" => ( \"socket\" => \"/s4\" ) ),",
                ")");
        List<Route> routes = config.global().routes();
        assertEquals(List.of(".php0", ".php1"), routes.get(0).backends().stream().map(BackendConfig::label).toList());
        assertEquals(List.of("first", "second"), routes.get(1).backends().stream().map(BackendConfig::label).toList());
        assertEquals(new SourceLocation(Configs.FILE, 3, 3), routes.get(1).location());
    }

    @Test
    void keyKindsFollowLighttpd() throws ConfigException {
        ServerConfig config = parse("fastcgi.server = ( \"/app\" => ( ( \"socket\" => \"/a\" ) ), \".php\" => ( ( \"socket\" => \"/a\" ) ),"
                + " \"php\" => ( ( \"socket\" => \"/a\" ) ), \"\" => ( ( \"socket\" => \"/a\" ) ) )\n");
        assertEquals(List.of(Route.KeyKind.PREFIX, Route.KeyKind.SUFFIX, Route.KeyKind.SUFFIX, Route.KeyKind.ALL),
                config.global().routes().stream().map(Route::keyKind).toList());
        // Unlabelled hosts are labelled key + index, so these are four distinct backends.
        assertEquals(List.of("/app0", ".php0", "php0", "0"),
                config.allBackends().stream().map(BackendConfig::label).toList());
    }

    @Test
    void spawnedBackendsSharingSocketAndBinPathAreOneBackend() throws ConfigException {
        ServerConfig config = parseLines(
                "php = ( \"socket\" => \"/run/php.sock\", \"bin-path\" => \"/usr/bin/php-cgi\" )",
                "fastcgi.server = ( \".php\" => ( \"php\" => php ), \"/status\" => ( \"status\" => php ) )",
                "$HTTP[\"host\"] == \"b\" {",
                "  fastcgi.server = ( \".php\" => ( \"other-label\" => php + ( \"max-procs\" => 1 ) ) )",
                "}");
        assertEquals(1, config.allBackends().size());
        BackendConfig shared = config.allBackends().get(0);
        assertSame(shared, config.global().routes().get(1).backends().get(0));
        assertSame(shared, config.resolve(Request.get("b", "/")).routes().get(0).backends().get(0));
        assertEquals("php", shared.label());
    }

    @Test
    void scgiRoutesUseScgiProtocolOrUwsgi() throws ConfigException {
        ServerConfig config = parseLines(
                "scgi.server = ( \"/py\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => 4000 ) ) )",
                "$HTTP[\"host\"] == \"u\" {",
                "  scgi.protocol = \"uwsgi\"",
                "  scgi.server = ( \"/py\" => ( ( \"socket\" => \"/run/uwsgi.sock\" ) ) )",
                "}");
        assertEquals(Protocol.SCGI, config.global().routes().get(0).protocol());
        assertEquals(Protocol.SCGI, config.global().routes().get(0).backends().get(0).protocol());
        Route uwsgi = config.resolve(Request.get("u", "/py")).routes().get(0);
        assertEquals(Protocol.UWSGI, uwsgi.protocol());
        assertEquals(Protocol.UWSGI, uwsgi.backends().get(0).protocol());
    }

    @Test
    void routesListFastcgiBeforeScgiUnlessModulesSayOtherwise() throws ConfigException {
        String servers = "\nscgi.server = ( \"/s\" => ( ( \"socket\" => \"/s\" ) ) )"
                + "\nfastcgi.server = ( \"/f\" => ( ( \"socket\" => \"/f\" ) ) )\n";
        assertEquals(List.of("/f", "/s"), parse(servers).global().routes().stream().map(Route::key).toList());
        assertEquals(List.of("/s", "/f"), parse("server.modules = ( \"mod_scgi\", \"mod_fastcgi\" )" + servers)
                .global().routes().stream().map(Route::key).toList());
        assertEquals(List.of("/f", "/s"), parse("server.modules = ( \"mod_fastcgi\", \"mod_scgi\" )" + servers)
                .global().routes().stream().map(Route::key).toList());
    }

    @Test
    void balanceAppliesToTheRoutesInForce() throws ConfigException {
        ServerConfig config = parseLines(
                "fastcgi.balance = \"fair\"",
                "fastcgi.server = ( \".php\" => ( ( \"host\" => \"10.0.0.1\" ), ( \"host\" => \"10.0.0.2\" ) ) )",
                "$HTTP[\"host\"] == \"rr\" { fastcgi.balance = \"round-robin\" }",
                "$HTTP[\"host\"] == \"hash\" { fastcgi.balance = \"hash\" }",
                "$HTTP[\"host\"] == \"sticky\" { fastcgi.balance = \"sticky\" }");
        assertEquals(Balance.LEAST_CONNECTION, config.global().routes().get(0).balance());
        assertEquals(Balance.ROUND_ROBIN, config.resolve(Request.get("rr", "/")).routes().get(0).balance());
        assertEquals(Balance.HASH, config.resolve(Request.get("hash", "/")).routes().get(0).balance());
        assertEquals(Balance.STICKY, config.resolve(Request.get("sticky", "/")).routes().get(0).balance());
        assertEquals(config.global().routes().get(0).backends(),
                config.resolve(Request.get("rr", "/")).routes().get(0).backends());
    }

    @Test
    void unknownModeWarnsAndFallsBackToResponder() throws ConfigException {
        ServerConfig config = parse("fastcgi.server = ( \".php\" => ( ( \"socket\" => \"/s\", \"mode\" => \"filter\" ) ) )\n");
        assertEquals("responder", config.allBackends().get(0).mode());
        assertEquals("test.conf:1:62: fastcgi.server \".php\" host \".php0\": mode \"filter\" is unknown,"
                + " using \"responder\"", config.warnings().get(0).toString());
    }

    @Test
    void backendsAreEqualByValueNotLocation() throws ConfigException {
        ServerConfig config = parseLines(
                "fastcgi.server = ( \".a\" => ( \"x\" => ( \"host\" => \"10.0.0.1\", \"port\" => 9000 ) ) )",
                "$HTTP[\"host\"] == \"b\" {",
                "  fastcgi.server = ( \".a\" => ( \"x\" => ( \"port\" => 9000, \"host\" => \"10.0.0.1\" ) ) )",
                "}");
        BackendConfig global = config.global().routes().get(0).backends().get(0);
        BackendConfig conditional = config.conditionals().get(0).scope().routes().get(0).backends().get(0);
        assertEquals(global, conditional);
        assertEquals(global.hashCode(), conditional.hashCode());
        assertFalse(global.location().equals(conditional.location()));
        assertEquals(1, config.allBackends().size());
    }
}
