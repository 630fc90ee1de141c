package io.gatehouse.core;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import io.gatehouse.conf.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A directory named without its trailing slash gets lighttpd 1.4.69's answer (checked here): 301
 * to the slashed path, encoded again, with the normalised query; with or without an index file.
 */
class StaticDirectoryTest {

    @TempDir
    Path docroot;

    @Test
    void aDirectoryWithoutItsSlashIsAPermanentRedirectToIt() throws Exception {
        Files.createDirectories(docroot.resolve("d2"));
        Files.writeString(docroot.resolve("d2/index.html"), "hi\n");
        Files.createDirectories(docroot.resolve("sub dir"));
        try (ProxyFixture proxy = ProxyFixture.start(ServerConfig.builder().documentRoot(docroot))) {
            assertRedirect(proxy, "/d2", "/d2/");
            assertRedirect(proxy, "/d2?x=1", "/d2/?x=1");
            assertRedirect(proxy, "/sub%20dir", "/sub%20dir/");
            assertRedirect(proxy, "/sub%20dir?a=%41", "/sub%20dir/?a=A");
            assertEquals(200, proxy.get("/d2/").statusCode());
            assertEquals("hi\n", proxy.get("/d2/").body());
        }
    }

    private static void assertRedirect(ProxyFixture proxy, String target, String location) throws Exception {
        HttpResponse<String> response = proxy.get(target);
        assertEquals(301, response.statusCode(), target);
        assertEquals(location, response.headers().firstValue("Location").orElse(""), target);
        assertEquals("0", response.headers().firstValue("Content-Length").orElse(""), target);
    }
}
