package io.gatehouse.core;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A script named with PATH_INFO under a {@code check-local => "disable"} suffix key goes to the
 * backend, as lighttpd 1.4.69 sends it (measured: 503 with the backend down); it was served by the
 * static-file handler, the script's source included.
 */
class ScriptWithPathInfoWithoutCheckLocalTest {

    private static final String SOURCE = "<?php echo 'the password is swordfish'; ?>\n";

    @TempDir
    Path docroot;

    @Test
    void aScriptWithPathInfoGoesToItsBackendNotToTheStaticHandler() throws Exception {
        Files.writeString(docroot.resolve("x.php"), SOURCE);
        Files.createDirectories(docroot.resolve("dir"));
        Files.writeString(docroot.resolve("dir/index.php"), SOURCE);
        Path sockets = Files.createTempDirectory(Path.of("/tmp"), "gh-");
        try (ProxyFixture proxy = ProxyFixture.start(ServerConfig.builder().documentRoot(docroot)
                .indexFiles(List.of("index.php"))
                .route(Route.of(".php", Protocol.FASTCGI, BackendConfig.unix(sockets.resolve("nobody.sock"))
                        .label("down").checkLocal(false).build())))) {
            for (String target : new String[] {"/x.php", "/x.php/more", "/x.php/", "/dir/"}) {
                HttpResponse<String> response = proxy.get(target);
                assertFalse(response.body().contains("swordfish"), target + " sent the source: " + response.body());
                assertEquals(503, response.statusCode(), target);
            }
            assertEquals(404, proxy.get("/missing.php/more").statusCode());
        } finally {
            Files.deleteIfExists(sockets);
        }
    }
}
