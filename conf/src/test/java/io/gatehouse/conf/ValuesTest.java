package io.gatehouse.conf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static io.gatehouse.conf.Configs.parse;
import static io.gatehouse.conf.Configs.parseLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Values, operators, variables and the environment, observed through the directives they feed. */
class ValuesTest {

    @Test
    void stringIntegerArrayAndHashValues() throws ConfigException {
        ServerConfig config = parseLines(
                "server.tag = \"my tag\"",
                "server.port = 8080",
                "index-file.names = ( \"a.php\", \"b.html\", )",
                "fastcgi.map-extensions = ( \".php3\" => \".php\", \".php4\" => \".php\" )");
        assertEquals("my tag", config.serverTag());
        assertEquals(8080, config.listeners().get(0).port());
        assertEquals(List.of("a.php", "b.html"), config.global().indexFiles());
        assertEquals(Map.of(".php3", ".php", ".php4", ".php"), config.global().mapExtensions(Protocol.FASTCGI));
    }

    @Test
    void plusConcatenatesAddsAndMerges() throws ConfigException {
        ServerConfig config = parseLines(
                "server.tag = \"a\" + \"b\" + 1 + 2",
                "server.port = 8000 + 80",
                "server.document-root = 5 + \"/x\"",
                "index-file.names = ( \"a\" ) + ( \"b\", \"a\" )",
                "fastcgi.map-extensions = ( \".x\" => \".php\" ) + ( \".y\" => \".php\", \".x\" => \".php\" )");
        assertEquals("ab12", config.serverTag());
        assertEquals(8080, config.listeners().get(0).port());
        assertEquals(Path.of("5/x"), config.global().documentRoot().get());
        assertEquals(List.of("a", "b", "a"), config.global().indexFiles());
        assertEquals(List.of(".x", ".y"), List.copyOf(config.global().mapExtensions(Protocol.FASTCGI).keySet()));
    }

    @Test
    void appendCreatesAppendsAndReplaceOverrides() throws ConfigException {
        ServerConfig config = parseLines(
                "index-file.names += ( \"a\" )",
                "index-file.names += ( \"b\" )",
                "server.tag = \"one\"",
                "server.tag := \"two\"",
                "server.tag += \"-three\"");
        assertEquals(List.of("a", "b"), config.global().indexFiles());
        assertEquals("two-three", config.serverTag());
    }

    @Test
    void appendInsideAConditionStartsFromTheInheritedValue() throws ConfigException {
        ServerConfig config = parseLines(
                "index-file.names = ( \"index.php\" )",
                "$HTTP[\"host\"] == \"a\" {",
                "  index-file.names += ( \"default.htm\" )",
                "  $HTTP[\"url\"] =^ \"/x\" {",
                "    index-file.names += ( \"x.htm\" )",
                "  }",
                "}");
        assertEquals(List.of("index.php"), config.global().indexFiles());
        assertEquals(List.of("index.php", "default.htm"), config.resolve(Request.get("a", "/")).indexFiles());
        assertEquals(List.of("index.php", "default.htm", "x.htm"), config.resolve(Request.get("a", "/x/1")).indexFiles());
        assertEquals(List.of("index.php"), config.resolve(Request.get("b", "/x/1")).indexFiles());
    }

    @Test
    void sameKeyMaySetAgainInANestedBlock() throws ConfigException {
        ServerConfig config = parseLines(
                "server.document-root = \"/a\"",
                "$HTTP[\"host\"] == \"b\" { server.document-root = \"/b\" }");
        assertEquals(Path.of("/b"), config.resolve(Request.get("b", "/")).documentRoot().get());
    }

    @Test
    void identicalKeysMayMeetInAMerge() throws ConfigException {
        ServerConfig config = parse("fastcgi.map-extensions = ( \".x\" => \".php\" ) + ( \".x\" => \".php\" )\n");
        assertEquals(Map.of(".x", ".php"), config.global().mapExtensions(Protocol.FASTCGI));
    }

    @Test
    void integerKeysAreText() throws ConfigException {
        ServerConfig config = parse("fastcgi.map-extensions = ( 5 => \".php\" )\n");
        assertEquals(Map.of("5", ".php"), config.global().mapExtensions(Protocol.FASTCGI));
    }

    @Test
    void variablesBareAndPrefixedAreTheSame() throws ConfigException {
        ServerConfig config = parseLines(
                "base = \"/srv\"",
                "var.app = base + \"/app\"",
                "server.document-root = var.base",
                "$HTTP[\"host\"] == \"a\" {",
                "  server.document-root = app",
                "}");
        assertEquals(Path.of("/srv"), config.global().documentRoot().get());
        assertEquals(Path.of("/srv/app"), config.resolve(Request.get("a", "/")).documentRoot().get());
    }

    @Test
    void configKeysCanBeReferencedToo() throws ConfigException {
        ServerConfig config = parseLines("server.port = 81", "server.tag = \"port \" + server.port");
        assertEquals("port 81", config.serverTag());
    }

    @Test
    void variablesInsideABlockDoNotLeakOut() throws ConfigException {
        ServerConfig config = parseLines(
                "x = \"outer\"",
                "$HTTP[\"host\"] == \"a\" { x = \"inner\"\n server.tag = x }",
                "server.document-root = \"/\" + x");
        assertEquals(Path.of("/outer"), config.global().documentRoot().get());
    }

    @Test
    void environmentIsReadFromTheGivenMap() throws ConfigException {
        ServerConfig config = parseLines("server.port = env.PORT", "server.tag = env.HOME + \"!\"");
        assertEquals(8081, config.listeners().get(0).port());
        assertEquals("/root!", config.serverTag());
    }

    @Test
    void cwdAndPidArePredefined() throws ConfigException {
        ServerConfig config = parseLines("server.tag = var.CWD", "server.max-request-size = var.PID");
        assertEquals(System.getProperty("user.dir"), config.serverTag());
        assertEquals(ProcessHandle.current().pid() * 1024, config.maxRequestSizeBytes());
    }

    @Test
    void globalBlockWritesTheTopLevel() throws ConfigException {
        ServerConfig config = parseLines(
                "$HTTP[\"host\"] == \"a\" {",
                "  global {",
                "    server.tag = \"from inside\"",
                "  }",
                "}");
        assertEquals("from inside", config.serverTag());
        assertTrue(config.conditionals().get(0).scope().directives().isEmpty());
    }
}
