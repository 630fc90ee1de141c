package io.gatehouse.core.internal.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.Scope;
import io.gatehouse.conf.ServerConfig;

/** Key matching, check-local and the PATH_INFO split, as lighttpd's mod_fastcgi does them. */
class RouterTest {

    private final ResolvedPaths resolved = ResolvedPaths.perSecond();
    private Path root;

    @BeforeEach
    void docroot() throws IOException {
        root = Files.createTempDirectory("gh-root-");
        Files.writeString(root.resolve("index.php"), "<?php");
        Files.writeString(root.resolve("static.txt"), "text");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/index.php"), "<?php");
        Files.createDirectories(root.resolve("dir.php"));
    }

    @AfterEach
    void clean() throws IOException {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Scope scope(Route... routes) {
        ServerConfig.Builder builder = ServerConfig.builder().listen("127.0.0.1", 8080).documentRoot(root);
        for (Route route : routes) {
            builder.route(route);
        }
        return builder.build().global();
    }

    private RouteMatch match(Scope scope, String urlPath) {
        return Router.match(scope, urlPath, resolved);
    }

    private static BackendConfig.Builder backend() {
        return BackendConfig.tcp("127.0.0.1", 9000);
    }

    @Test
    void suffixKeyWithCheckLocalMatchesExistingFilesAndSplitsPathInfo() {
        Route php = Route.of(".php", Protocol.FASTCGI, backend().build());
        Scope scope = scope(php);

        RouteMatch plain = match(scope, "/index.php");
        assertEquals("/index.php", plain.scriptName());
        assertEquals("", plain.pathInfo());
        assertEquals(root.resolve("index.php").toString(), plain.scriptFilename());
        assertEquals(root.toString(), plain.documentRoot());

        RouteMatch split = match(scope, "/index.php/foo/bar");
        assertEquals("/index.php", split.scriptName());
        assertEquals("/foo/bar", split.pathInfo());

        assertNull(match(scope, "/missing.php"), "check-local: a missing file is not proxied");
        assertNull(match(scope, "/static.txt"));
        assertNull(match(scope, "/dir.php"), "a directory is not a script");
    }

    @Test
    void aTrailingSlashAfterAScriptIsPathInfoNotTheScriptItself() {
        // /index.php/ answered 404: Path.resolve dropped the '/', the file matched whole as
        // "/index.php/", which does not end in ".php". lighttpd: SCRIPT_NAME /index.php, PATH_INFO /.
        Scope scope = scope(Route.of(".php", Protocol.FASTCGI, backend().build()));
        RouteMatch match = match(scope, "/index.php/");
        assertEquals("/index.php", match.scriptName());
        assertEquals("/", match.pathInfo());
        assertEquals(root.resolve("index.php").toString(), match.scriptFilename());
        assertEquals("/", match(scope, "/sub/index.php/").pathInfo());
    }

    @Test
    void directoriesUseTheIndexFiles() {
        Scope scope = scope(Route.of(".php", Protocol.FASTCGI, backend().build()));
        assertEquals("/index.php", match(scope, "/").scriptName());
        assertEquals("/sub/index.php", match(scope, "/sub/").scriptName());
    }

    @Test
    void prefixKeyWithoutCheckLocalSplitsAtTheFirstSlashAfterThePrefix() {
        Scope scope = scope(
                Route.of("/admin.fcgi", Protocol.FASTCGI, backend().checkLocal(false).build()),
                Route.of("/cgi-bin/", Protocol.FASTCGI, backend().checkLocal(false).build()));
        RouteMatch admin = match(scope, "/admin.fcgi/foo/bar");
        assertEquals("/admin.fcgi", admin.scriptName());
        assertEquals("/foo/bar", admin.pathInfo());
        assertEquals(root + "/admin.fcgi", admin.scriptFilename());

        RouteMatch cgi = match(scope, "/cgi-bin/foo/bar");
        assertEquals("/cgi-bin/foo", cgi.scriptName());
        assertEquals("/bar", cgi.pathInfo());

        // A plain byte prefix, as lighttpd: no boundary check.
        assertEquals("/admin.fcgi-nonexistent", match(scope, "/admin.fcgi-nonexistent").scriptName());
        assertNull(match(scope, "/other"));
    }

    @Test
    void rootKeyWithFixRootScriptnameMakesTheWholePathPathInfo() {
        Scope scope = scope(Route.of("/", Protocol.FASTCGI, backend().checkLocal(false).fixRootScriptname(true).build()));
        RouteMatch match = match(scope, "/x/y");
        assertEquals("", match.scriptName());
        assertEquals("/x/y", match.pathInfo());
    }

    @Test
    void firstMatchingKeyInConfigOrderWins() {
        Route first = Route.of("", Protocol.FASTCGI, backend().checkLocal(false).build());
        Route second = Route.of(".php", Protocol.FASTCGI, backend().build());
        assertSame(first, match(scope(first, second), "/index.php").route());
        assertSame(second, match(scope(second, first), "/index.php").route());
    }

    @Test
    void backendDocrootAndBrokenScriptfilenameChangeScriptFilename() {
        Scope docroot = scope(Route.of(".php", Protocol.FASTCGI,
                backend().docroot(Path.of("/srv/app")).build()));
        RouteMatch match = match(docroot, "/index.php/info");
        assertEquals("/srv/app", match.documentRoot());
        assertEquals("/srv/app/index.php", match.scriptFilename());

        Scope broken = scope(Route.of(".php", Protocol.FASTCGI, backend().brokenScriptfilename(true).build()));
        assertEquals(root.resolve("index.php") + "/info", match(broken, "/index.php/info").scriptFilename());
    }
}
