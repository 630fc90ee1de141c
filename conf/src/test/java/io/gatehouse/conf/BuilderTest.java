package io.gatehouse.conf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Configs made in code: the same model as the parser makes, with the same checks. */
class BuilderTest {

    private static final String TEXT = """
            server.bind = "127.0.0.1"
            server.port = 8080
            $SERVER["socket"] == "/tmp/gh-front.sock" { }
            server.document-root = "/srv/www"
            server.pid-file = "/run/gh.pid"
            server.errorlog = "/var/log/gh/error.log"
            accesslog.filename = "/var/log/gh/access.log"
            server.feature-flags = ( "server.graceful-shutdown-timeout" => 3 )
            server.max-request-size = 1024
            index-file.names = ( "index.php" )
            fastcgi.server = ( ".php" => ( "php" => ( "socket" => "/tmp/php.sock", "bin-path" => "/usr/bin/php-cgi",
                                                      "max-procs" => 2, "bin-environment" => ( "PHP_FCGI_MAX_REQUESTS" => "0" ) ) ) )
            scgi.server = ( "/py" => ( "py" => ( "host" => "127.0.0.1", "port" => 4000, "check-local" => "disable" ) ) )
            """;

    @Test
    void builderAndParserMakeTheSameConfig() throws ConfigException {
        ServerConfig parsed = Configs.parse(TEXT);
        ServerConfig built = ServerConfig.builder()
                .listen("127.0.0.1", 8080)
                .listenUnix(Path.of("/tmp/gh-front.sock"))
                .documentRoot(Path.of("/srv/www"))
                .pidFile(Path.of("/run/gh.pid"))
                .errorLog(Path.of("/var/log/gh/error.log"))
                .accessLog(Path.of("/var/log/gh/access.log"))
                .gracefulShutdownTimeout(Duration.ofSeconds(3))
                .maxRequestSizeBytes(1024 * 1024)
                .indexFiles(List.of("index.php"))
                .route(Route.of(".php", Protocol.FASTCGI, BackendConfig.spawn("/usr/bin/php-cgi")
                        .label("php").socket(Path.of("/tmp/php.sock")).maxProcs(2)
                        .binEnvironment(Map.of("PHP_FCGI_MAX_REQUESTS", "0")).build()))
                .scgi("/py", BackendConfig.tcp("127.0.0.1", 4000).label("py").checkLocal(false).build())
                .build();
        assertEquals(parsed.listeners(), built.listeners());
        assertEquals(parsed.listeners().stream().map(ListenerConfig::token).toList(),
                built.listeners().stream().map(ListenerConfig::token).toList());
        assertEquals(parsed.global().routes(), built.global().routes());
        assertEquals(parsed.allBackends(), built.allBackends());
        assertEquals(parsed.global().documentRoot(), built.global().documentRoot());
        assertEquals(parsed.global().indexFiles(), built.global().indexFiles());
        assertEquals(parsed.pidFile(), built.pidFile());
        assertEquals(parsed.errorLog(), built.errorLog());
        assertEquals(parsed.accessLog(), built.accessLog());
        assertEquals(parsed.accessLogFormat(), built.accessLogFormat());
        assertEquals(parsed.gracefulShutdownTimeout(), built.gracefulShutdownTimeout());
        assertEquals(parsed.maxRequestSizeBytes(), built.maxRequestSizeBytes());
        assertEquals(parsed.serverTag(), built.serverTag());
        assertEquals(Optional.empty(), built.source());
        assertEquals(SourceLocation.API, built.allBackends().get(0).location());
        assertSame(built.global(), built.resolve(Request.get("any", "/")));
    }

    @Test
    void builderDefaultsMatchTheConfigFileDefaults() throws ConfigException {
        ServerConfig built = ServerConfig.builder().build();
        ServerConfig parsed = Configs.parse("");
        assertEquals(parsed.listeners(), built.listeners());
        assertEquals(parsed.gracefulShutdownTimeout(), built.gracefulShutdownTimeout());
        assertEquals(parsed.global().indexFiles(), built.global().indexFiles());
        assertEquals(parsed.connectionLimits(), built.connectionLimits());
        assertEquals(parsed.serverTag(), built.serverTag());
    }

    @Test
    void toBuilderRoundTripsAndVariesOneOption() {
        BackendConfig original = BackendConfig.unix(Path.of("/run/app.sock")).label("app").readTimeout(Duration.ofSeconds(9))
                .build();
        assertEquals(original, original.toBuilder().build());
        BackendConfig varied = original.toBuilder().keepAlive(true).build();
        assertNotEquals(original, varied);
        assertEquals(original.readTimeout(), varied.readTimeout());
    }

    @Test
    void routesMakeTheirBackendsSpeakTheirProtocol() {
        Route route = Route.of("/u", Protocol.UWSGI, BackendConfig.tcp("127.0.0.1", 3031).build());
        assertEquals(Protocol.UWSGI, route.backends().get(0).protocol());
        assertEquals(Balance.LEAST_CONNECTION, route.balance());
        assertEquals(Route.KeyKind.PREFIX, route.keyKind());
        assertEquals(Balance.HASH, route.withBalance(Balance.HASH).balance());
        assertEquals("route \"/u\" needs at least one backend",
                assertThrows(IllegalArgumentException.class, () -> Route.of("/u", Protocol.SCGI)).getMessage());
    }

    @Test
    void listenerTokens() {
        assertEquals("[::1]:8080", ListenerConfig.tcp("::1", 8080).token());
        assertEquals(ListenerConfig.tcp("", 8080), ListenerConfig.tcp("0.0.0.0", 8080));
        assertEquals(1, ServerConfig.builder().listen("*", 81).listen("0.0.0.0", 81).build().listeners().size());
        assertEquals("port of \"127.0.0.1:0\" must be 1..65535, got 0",
                assertThrows(IllegalArgumentException.class, () -> ListenerConfig.tcp("127.0.0.1", 0)).getMessage());
    }

    @Test
    void buildersCheckWhatTheParserChecks() {
        assertEquals("socket cannot be combined with host or port (a backend is either a unix socket or a TCP address)",
                assertThrows(IllegalArgumentException.class,
                        () -> BackendConfig.unix(Path.of("/s")).port(9000).build()).getMessage());
        assertEquals("max-procs must be 1..1024, got 0", assertThrows(IllegalArgumentException.class,
                () -> BackendConfig.unix(Path.of("/s")).maxProcs(0).build()).getMessage());
        assertEquals("bin-path with a TCP backend needs a \"port\" (process N listens on port + N), or give a"
                + " \"socket\" instead", assertThrows(IllegalArgumentException.class,
                        () -> BackendConfig.spawn("/bin/app").build()).getMessage());
        assertEquals("a backend needs \"socket\", \"host\"/\"port\" or \"bin-path\"",
                assertThrows(IllegalArgumentException.class, () -> BackendConfig.builder().build()).getMessage());
        assertEquals("kill-timeout must not be negative, got -1", assertThrows(IllegalArgumentException.class,
                () -> BackendConfig.unix(Path.of("/s")).killTimeout(Duration.ofSeconds(-1)).build()).getMessage());
        assertEquals("graceful shutdown timeout must not be negative, got PT-1S", assertThrows(
                IllegalArgumentException.class,
                () -> ServerConfig.builder().gracefulShutdownTimeout(Duration.ofSeconds(-1)).build()).getMessage());
        BackendConfig a = BackendConfig.spawn("/bin/a").socket(Path.of("/tmp/s")).build();
        BackendConfig b = BackendConfig.spawn("/bin/b").socket(Path.of("/tmp/s")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder().fastcgi(".a", a).fastcgi(".b", b).build());
        assertEquals("socket /tmp/s is used by two different spawned backends: " + a + " and " + b, e.getMessage());
    }
}
