package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.gatehouse.conf.ConfigParser;
import io.gatehouse.conf.ServerConfig;

/**
 * A lighttpd-syntax config, parsed and served: keys per vhost and URL condition, check-local
 * against a real document root, and static files for what no key takes.
 */
class ConfiguredRoutingTest {

    @Test
    void routesByHostAndUrlConditionsAndServesStaticFiles() throws Exception {
        Path root = Files.createTempDirectory("gh-root-");
        Files.writeString(root.resolve("page.php"), "<?php");
        Files.writeString(root.resolve("plain.txt"), "static text\n");
        try (TestBackend fcgi = TestBackend.start(TestBackend.Kind.FASTCGI_UNIX);
             TestBackend scgi = TestBackend.start(TestBackend.Kind.SCGI_TCP)) {
            int port = ProxyFixture.freePort();
            String text = "server.bind = \"127.0.0.1\"\n"
                    + "server.port = " + port + "\n"
                    + "server.document-root = \"" + root + "\"\n"
                    + "fastcgi.server = ( \".php\" => ( \"php\" => ( \"socket\" => \"" + socketOf(fcgi) + "\" ) ) )\n"
                    + "$HTTP[\"host\"] == \"api.test\" {\n"
                    + "  fastcgi.server = ( \"\" => ( ( \"socket\" => \"" + socketOf(fcgi) + "\",\n"
                    + "                               \"check-local\" => \"disable\" ) ) )\n"
                    + "} else $HTTP[\"url\"] =^ \"/app/\" {\n"
                    + "  scgi.server = ( \"/app/\" => ( \"app\" => ( \"host\" => \"127.0.0.1\", \"port\" => "
                    + portOf(scgi) + ", \"check-local\" => \"disable\" ) ) )\n"
                    + "}\n";
            ServerConfig config = ConfigParser.parseString(text, "routing.conf", root, Map.of());
            try (Gatehouse server = Gatehouse.start(config)) {
                RawHttp.Response php = RawHttp.exchange(port, "GET /page.php/extra HTTP/1.1\r\nHost: www.test\r\n"
                        + "Connection: close\r\n\r\n", null);
                assertEquals(404, php.status(), "TestApp answers 404 for unknown scripts: proves it got there");
                assertTrue(php.bodyText().contains("no test page /page.php"), php.bodyText());

                RawHttp.Response missing = RawHttp.exchange(port, "GET /missing.php HTTP/1.1\r\nHost: www.test\r\n"
                        + "Connection: close\r\n\r\n", null);
                assertEquals(404, missing.status());
                assertTrue(missing.bodyText().isEmpty() || !missing.bodyText().contains("no test page"),
                        "check-local: a missing file never reaches the backend");

                RawHttp.Response api = RawHttp.exchange(port, "GET /env HTTP/1.1\r\nHost: api.test\r\n"
                        + "Connection: close\r\n\r\n", null);
                assertEquals(200, api.status());
                assertTrue(api.bodyText().contains("SCRIPT_NAME=/env"), api.bodyText());

                RawHttp.Response app = RawHttp.exchange(port, "GET /app/env/more HTTP/1.1\r\nHost: www.test\r\n"
                        + "Connection: close\r\n\r\n", null);
                assertEquals(404, app.status());
                assertTrue(app.bodyText().contains("no test page /app/env"), "prefix split: " + app.bodyText());

                RawHttp.Response plain = RawHttp.exchange(port, "GET /plain.txt HTTP/1.1\r\nHost: www.test\r\n"
                        + "Connection: close\r\n\r\n", null);
                assertEquals(200, plain.status());
                assertEquals("static text\n", plain.bodyText());
            }
        } finally {
            try (var walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String socketOf(TestBackend backend) {
        return backend.config().build().socket().orElseThrow().toString();
    }

    private static int portOf(TestBackend backend) {
        return backend.config().build().port();
    }
}
