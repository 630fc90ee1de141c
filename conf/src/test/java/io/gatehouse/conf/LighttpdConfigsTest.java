package io.gatehouse.conf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole configs in the shapes lighttpd users and lighttpd's own test suite write. */
class LighttpdConfigsTest {

    @TempDir
    Path dir;

    @Test
    void theIdiomsOfLighttpdsTestConfigs() throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("tmp/bind-1.conf"), "server.port = 2048\n");
        Path main = dir.resolve("lighttpd.conf");
        Files.writeString(main, """
                server.document-root = env.SRCDIR + "/tmp/servers/www.example.org/pages/"
                server.pid-file      = env.SRCDIR + "/tmp/lighttpd.pid"
                include env.SRCDIR + "/tmp/bind*.conf"

                server.modules += ( "mod_fastcgi" )
                server.modules += ( "mod_scgi" )
                server.feature-flags += ( "server.graceful-shutdown-timeout" => 5 )

                fastcgi.debug = 0
                fastcgi.server = ( "/prefix.fcgi" => ( ( "host" => "127.0.0.1", "port" => env.EPHEMERAL_PORT,
                                                          "check-local" => "disable",
                                                          "bin-path" => env.SRCDIR + "/fcgi-responder" ) ) )

                $HTTP["host"] == "auth.example.org" {
                    server.document-root := env.SRCDIR + "/tmp/servers/auth/"
                } else {
                    $HTTP["url"] =$ ".php" {
                        fastcgi.server = ( ".php" => ( "php" => ( "socket" => env.SRCDIR + "/tmp/php.sock",
                                                                  "bin-path" => "/usr/bin/php-cgi" ) ) )
                    }
                }
                """);
        ServerConfig config = ConfigParser.parse(main, Map.of("SRCDIR", dir.toString(), "EPHEMERAL_PORT", "10001"));
        assertEquals("0.0.0.0:2048", config.listeners().get(0).token());
        assertEquals(List.of("mod_fastcgi", "mod_scgi"), List.copyOf(config.modules()));
        assertEquals(Duration.ofSeconds(5), config.gracefulShutdownTimeout());
        assertEquals(Optional.of(Path.of(dir + "/tmp/lighttpd.pid")), config.pidFile());
        BackendConfig responder = config.global().routes().get(0).backends().get(0);
        assertEquals(10001, responder.port());
        assertFalse(responder.checkLocal());
        assertEquals(Optional.of(List.of(dir + "/fcgi-responder")), responder.binPath());

        Scope auth = config.resolve(Request.get("auth.example.org", "/x.php"));
        assertEquals(Optional.of(Path.of(dir + "/tmp/servers/auth/")), auth.documentRoot());
        assertEquals("/prefix.fcgi", auth.routes().get(0).key());
        Scope php = config.resolve(Request.get("www.example.org", "/x.php"));
        assertEquals(List.of(".php"), php.routes().stream().map(Route::key).toList());
        assertEquals(Optional.of(Path.of(dir + "/tmp/servers/www.example.org/pages/")), php.documentRoot());
        assertEquals(2, config.allBackends().size());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void aDebianStylePhpCgiSetupWithConfEnabled() throws Exception {
        Path etc = dir.resolve("etc/lighttpd");
        Files.createDirectories(etc.resolve("conf-enabled"));
        Files.writeString(etc.resolve("lighttpd.conf"), """
                server.modules = (
                \t"mod_indexfile",
                \t"mod_access",
                \t"mod_alias",
                \t"mod_redirect",
                )

                server.document-root        = "/var/www/html"
                server.upload-dirs          = ( "/var/cache/lighttpd/uploads" )
                server.errorlog             = "/var/log/lighttpd/error.log"
                server.pid-file             = "/run/lighttpd.pid"
                server.username             = "www-data"
                server.groupname            = "www-data"
                server.port                 = 80

                # strict parsing and normalization of URL for consistency and security
                server.http-parseopts = (
                  "header-strict"           => "enable",
                  "host-strict"             => "enable",
                  "url-normalize-unreserved"=> "enable",
                )

                index-file.names            = ( "index.php", "index.html" )
                url.access-deny             = ( "~", ".inc" )
                static-file.exclude-extensions = ( ".php", ".pl", ".fcgi" )

                var.socket_dir = "/run/lighttpd"
                include "conf-enabled/*.conf"
                """);
        Files.writeString(etc.resolve("conf-enabled/10-fastcgi.conf"), """
                # enable the FastCGI module
                server.modules += ( "mod_fastcgi" )
                """);
        Files.writeString(etc.resolve("conf-enabled/15-fastcgi-php.conf"), """
                # PHP through php-cgi, spawned by the web server
                fastcgi.server += ( ".php" =>
                \t((
                \t\t"bin-path" => "/usr/bin/php-cgi",
                \t\t"socket" => socket_dir + "/php.socket",
                \t\t"max-procs" => 1,
                \t\t"bin-environment" => (
                \t\t\t"PHP_FCGI_CHILDREN" => "4",
                \t\t\t"PHP_FCGI_MAX_REQUESTS" => "10000"
                \t\t),
                \t\t"bin-copy-environment" => (
                \t\t\t"PATH", "SHELL", "USER"
                \t\t),
                \t\t"broken-scriptfilename" => "enable"
                \t))
                )
                """);
        ServerConfig config = ConfigParser.parse(etc.resolve("lighttpd.conf"), Map.of());
        assertEquals(1, config.allBackends().size());
        BackendConfig php = config.allBackends().get(0);
        BackendConfig expected = BackendConfig.spawn("/usr/bin/php-cgi")
                .label(".php0")
                .socket(Path.of("/run/lighttpd/php.socket"))
                .maxProcs(1)
                .binEnvironment(Map.of("PHP_FCGI_CHILDREN", "4", "PHP_FCGI_MAX_REQUESTS", "10000"))
                .binCopyEnvironment(List.of("PATH", "SHELL", "USER"))
                .brokenScriptfilename(true)
                .build();
        assertEquals(expected, php);
        assertEquals(1, php.minProcs());
        assertTrue(php.checkLocal());
        assertEquals(Duration.ofSeconds(8), php.connectTimeout());
        assertEquals(15, php.killSignal());
        Path included = etc.resolve("conf-enabled/15-fastcgi-php.conf");
        assertEquals(new SourceLocation(included.toString(), 2, 21), config.global().routes().get(0).location());
        assertEquals(new SourceLocation(included.toString(), 5, 15), php.optionLocation("socket"));
        assertEquals(Optional.of(Path.of("/var/www/html")), config.global().documentRoot());
        assertEquals(List.of("index.php", "index.html"), config.global().indexFiles());
        assertEquals(List.of("mod_indexfile", "mod_access", "mod_alias", "mod_redirect", "mod_fastcgi"),
                List.copyOf(config.modules()));
        assertEquals(List.of(Path.of("/var/cache/lighttpd/uploads")), config.uploadDirs());
        assertEquals(List.of(".php", ".pl", ".fcgi"), config.global().staticFiles().excludeExtensions());
        String lighttpdConf = etc.resolve("lighttpd.conf").toString();
        assertEquals(List.of(
                lighttpdConf + ":3:2: module 'mod_access' is not implemented by gatehouse (ignored)",
                lighttpdConf + ":4:2: module 'mod_alias' is not implemented by gatehouse (ignored)",
                lighttpdConf + ":5:2: module 'mod_redirect' is not implemented by gatehouse (ignored)",
                lighttpdConf + ":12:1: 'server.username' is not supported, ignored (run gatehouse as the intended user instead)",
                lighttpdConf + ":13:1: 'server.groupname' is not supported, ignored (run gatehouse as the intended user instead)",
                lighttpdConf + ":24:1: 'url.access-deny' is a mod_access setting that gatehouse does not implement (ignored)"),
                config.warnings().stream().map(ConfigWarning::toString).toList());
    }

    @Test
    void phpFpmOverTcpAndUnixWithVirtualHosts() throws IOException, ConfigException {
        Path conf = dir.resolve("gatehouse.conf");
        Files.writeString(conf, """
                server.modules = ( "mod_fastcgi", "mod_accesslog" )
                server.document-root = "/var/www/default"
                accesslog.filename = "/var/log/gatehouse/access.log"

                # The main site talks to php-fpm over TCP.
                fastcgi.server = ( ".php" => ( "fpm" => ( "host" => "127.0.0.1", "port" => 9000,
                                                          "check-local" => "disable",
                                                          "read-timeout" => 60 ) ) )

                $HTTP["host"] =~ "^(www\\.)?shop\\.example$" {
                    server.document-root = "/var/www/shop/public"
                    # The shop has its own pool on a unix socket and a front controller.
                    fastcgi.server = ( "/" => ( "shop" => ( "socket" => "/run/php/php8.2-fpm-shop.sock",
                                                            "check-local" => "disable",
                                                            "fix-root-scriptname" => "enable" ) ) )
                }
                """);
        ServerConfig config = ConfigParser.parse(conf, Map.of());
        BackendConfig fpm = config.global().routes().get(0).backends().get(0);
        assertEquals(BackendConfig.tcp("127.0.0.1", 9000).label("fpm").checkLocal(false)
                .readTimeout(Duration.ofSeconds(60)).build(), fpm);
        Scope shop = config.resolve(Request.get("www.shop.example", "/cart"));
        assertEquals(Optional.of(Path.of("/var/www/shop/public")), shop.documentRoot());
        Route front = shop.routes().get(0);
        assertEquals(Route.KeyKind.PREFIX, front.keyKind());
        assertEquals(Optional.of(Path.of("/run/php/php8.2-fpm-shop.sock")), front.backends().get(0).socket());
        assertTrue(front.backends().get(0).fixRootScriptname());
        assertEquals(Optional.of(Path.of("/var/www/default")),
                config.resolve(Request.get("blog.example", "/")).documentRoot());
        assertEquals(List.of(), config.warnings());
    }
}
