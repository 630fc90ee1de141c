package io.gatehouse.itest.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeersTest {

    @ParameterizedTest
    @ValueSource(strings = {"php-cgi", "php-fpm", "fcgiwrap", "uwsgi", "curl", "lighttpd", "git"})
    void everyPeerIsInstalledAndExecutable(String name) {
        Path binary = Peers.require(name);
        assertTrue(Files.isExecutable(binary), binary.toString());
        assertTrue(binary.getFileName().toString().startsWith(name), binary.toString());
    }

    @Test
    void phpFpmIsFoundUnderItsVersionedName() {
        Path fpm = Peers.require("php-fpm");
        assertTrue(fpm.getFileName().toString().matches("php-fpm[0-9.]*"), fpm.toString());
    }

    @Test
    void theMissingMessageNamesThePackageAndTheFix() {
        assertEquals("php-fpm not found: install php-fpm (apt-get install php-fpm); .ci/run installs it",
                Peers.missingMessage("php-fpm"));
        assertEquals("uwsgi not found: install uwsgi-core uwsgi-plugin-python3"
                + " (apt-get install uwsgi-core uwsgi-plugin-python3); .ci/run installs it",
                Peers.missingMessage("uwsgi"));
    }

    @Test
    void aMissingApplicationFileFailsNamingItsPackage() {
        AssertionError error = assertThrows(AssertionError.class,
                () -> Peers.requireFile(Path.of("/nonexistent/doku.php"), "dokuwiki"));
        assertEquals("/nonexistent/doku.php not found: install dokuwiki (apt-get install dokuwiki);"
                + " .ci/run installs it", error.getMessage());
    }

    @Test
    void anUnknownPeerIsAnError() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Peers.find("nginx"));
        assertTrue(error.getMessage().contains("unknown peer 'nginx'"), error.getMessage());
        assertEquals(List.of("curl", "fcgiwrap", "git", "h2load", "lighttpd", "nghttp", "openssl", "php-cgi", "php-fpm", "testssl", "uwsgi"),
                Peers.names());
    }
}
