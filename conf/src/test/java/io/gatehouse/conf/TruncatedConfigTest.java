package io.gatehouse.conf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged configs: every prefix and every one-character deletion of a realistic config either
 * parses or fails with a ConfigException pointing inside the text, never with another exception.
 */
class TruncatedConfigTest {

    private static final String CONFIG = """
            server.modules = ( "mod_fastcgi", "mod_scgi" )   # comment
            server.port = 8080
            var.base = "/srv"
            server.document-root = base + "/www"
            index-file.names += ( "index.php", )
            $HTTP["host"] =~ "^(www\\.)?example\\.org$" {
              fastcgi.server = ( ".php" => ( "php" => ( "socket" => "/tmp/php.sock",
                                                         "bin-path" => "/usr/bin/php-cgi", "max-procs" => 2 ) ) )
            } else $HTTP["remoteip"] == "10.0.0.0/8" {
              scgi.server = ( "/py" => ( ( "host" => "127.0.0.1", "port" => 4000 ) ) )
            } else {
              server.feature-flags = ( "server.graceful-shutdown-timeout" => 3 )
            }
            $SERVER["socket"] == ":8443" { server.document-root := "/srv/tls" }
            """;

    private static final int LINES = (int) CONFIG.lines().count();

    @Test
    void theWholeConfigParses() throws ConfigException {
        ServerConfig config = Configs.parse(CONFIG);
        assertEquals(2, config.listeners().size());
        assertEquals(4, config.conditionals().size());
    }

    @Test
    void everyPrefixParsesOrFailsWithALocation() {
        for (int end = 0; end <= CONFIG.length(); end++) {
            check(CONFIG.substring(0, end), "prefix of " + end + " chars");
        }
    }

    @Test
    void everySingleCharacterDeletionParsesOrFailsWithALocation() {
        for (int cut = 0; cut < CONFIG.length(); cut++) {
            check(CONFIG.substring(0, cut) + CONFIG.substring(cut + 1), "deletion at " + cut);
        }
    }

    private static void check(String text, String what) {
        try {
            Configs.parse(text);
        } catch (ConfigException e) {
            SourceLocation at = e.location();
            boolean inside = at.file().equals(Configs.FILE) && at.line() >= 1 && at.line() <= LINES + 1
                    && at.column() >= 1;
            assertTrue(inside, what + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith(at + ": "), what + ": " + e.getMessage());
        } catch (RuntimeException e) {
            fail(what + " threw " + e, e);
        }
    }
}
