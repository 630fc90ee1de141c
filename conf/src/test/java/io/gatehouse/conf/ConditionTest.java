package io.gatehouse.conf;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.gatehouse.conf.Configs.parse;
import static io.gatehouse.conf.Configs.parseLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conditional blocks: every field and operator, else chains, nesting, and resolve(). */
class ConditionTest {

    private static final Request BASE = Request.get("example.org", "/index.php");

    private static Optional<Path> rootFor(ServerConfig config, Request request) {
        return config.resolve(request).documentRoot();
    }

    /** A config whose document root is /hit when {@code condition} holds, else /miss. */
    private static ServerConfig guarded(String condition) throws ConfigException {
        return parseLines("server.document-root = \"/miss\"", condition + " {", "  server.document-root = \"/hit\"", "}");
    }

    static Stream<Arguments> fieldCases() {
        return Stream.of(
                Arguments.of("$HTTP[\"host\"] == \"example.org\"", (UnaryOperator<Request>) r -> r,
                        (UnaryOperator<Request>) r -> Request.get("other.org", "/")),
                Arguments.of("$HTTP[\"host\"] == \"example.org\"", (UnaryOperator<Request>) r -> Request.get("EXAMPLE.org:80", "/"),
                        (UnaryOperator<Request>) r -> Request.get("other.org:80", "/")),
                // lighttpd 1.4.69, compared side by side: ports count only when both sides name one
                Arguments.of("$HTTP[\"host\"] == \"example.org\"", (UnaryOperator<Request>) r -> Request.get("example.org:8080", "/"),
                        (UnaryOperator<Request>) r -> Request.get("example.org.other:8080", "/")),
                Arguments.of("$HTTP[\"host\"] == \"example.org\"", (UnaryOperator<Request>) r -> Request.get("Example.Org.:1", "/"),
                        (UnaryOperator<Request>) r -> Request.get("example.or:1", "/")),
                Arguments.of("$HTTP[\"host\"] == \"example.org:8080\"", (UnaryOperator<Request>) r -> Request.get("example.org:8080", "/"),
                        (UnaryOperator<Request>) r -> Request.get("example.org:9", "/")),
                Arguments.of("$HTTP[\"host\"] == \"example.org:8080\"", (UnaryOperator<Request>) r -> r,
                        (UnaryOperator<Request>) r -> Request.get("www.example.org", "/")),
                Arguments.of("$HTTP[\"host\"] == \"[::1]\"", (UnaryOperator<Request>) r -> Request.get("[::1]:8080", "/"),
                        (UnaryOperator<Request>) r -> Request.get("[::2]:8080", "/")),
                Arguments.of("$HTTP[\"host\"] =~ \"^example\\.org$\"", (UnaryOperator<Request>) r -> Request.get("example.org:443", "/").withScheme("https"),
                        (UnaryOperator<Request>) r -> Request.get("example.org:443", "/")),
                Arguments.of("$HTTP[\"url\"] == \"/index.php\"", (UnaryOperator<Request>) r -> r,
                        (UnaryOperator<Request>) r -> Request.get("example.org", "/index.php5")),
                Arguments.of("$HTTP[\"querystring\"] == \"a=1\"", (UnaryOperator<Request>) r -> r.withQuery("a=1"),
                        (UnaryOperator<Request>) r -> r.withQuery("a=2")),
                Arguments.of("$HTTP[\"query-string\"] =~ \"(^|&)debug=\"", (UnaryOperator<Request>) r -> r.withQuery("x=1&debug=1"),
                        (UnaryOperator<Request>) r -> r.withQuery("nodebug=1")),
                Arguments.of("$HTTP[\"remoteip\"] == \"10.0.0.0/8\"", (UnaryOperator<Request>) r -> r.withRemoteIp("10.200.3.4"),
                        (UnaryOperator<Request>) r -> r.withRemoteIp("11.0.0.1")),
                Arguments.of("$HTTP[\"remote-ip\"] == \"10.0.0.0/8\"", (UnaryOperator<Request>) r -> r.withRemoteIp("::ffff:10.1.2.3"),
                        (UnaryOperator<Request>) r -> r.withRemoteIp("::1")),
                Arguments.of("$HTTP[\"remoteip\"] == \"192.168.1.7\"", (UnaryOperator<Request>) r -> r.withRemoteIp("192.168.1.7"),
                        (UnaryOperator<Request>) r -> r.withRemoteIp("192.168.1.8")),
                Arguments.of("$HTTP[\"remoteip\"] == \"2001:db8::/32\"", (UnaryOperator<Request>) r -> r.withRemoteIp("2001:db8:1::5"),
                        (UnaryOperator<Request>) r -> r.withRemoteIp("2001:db9::5")),
                Arguments.of("$HTTP[\"remoteip\"] != \"127.0.0.1\"", (UnaryOperator<Request>) r -> r.withRemoteIp("127.0.0.2"),
                        (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"remoteip\"] =~ \"^192\\.168\\.\"", (UnaryOperator<Request>) r -> r.withRemoteIp("192.168.0.1"),
                        (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"request-method\"] == \"POST\"", (UnaryOperator<Request>) r -> r.withMethod("POST"),
                        (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"scheme\"] == \"https\"", (UnaryOperator<Request>) r -> r.withScheme("https"),
                        (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"useragent\"] =~ \"curl\"", (UnaryOperator<Request>) r -> r.withHeader("User-Agent", "curl/8.0"),
                        (UnaryOperator<Request>) r -> r.withHeader("User-Agent", "Mozilla/5.0")),
                Arguments.of("$HTTP[\"user-agent\"] =^ \"Mozilla\"", (UnaryOperator<Request>) r -> r.withHeader("user-agent", "Mozilla/5.0"),
                        (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"referer\"] !~ \"^https://example\\.org/\"", (UnaryOperator<Request>) r -> r.withHeader("Referer", "https://evil/"),
                        (UnaryOperator<Request>) r -> r.withHeader("Referer", "https://example.org/a")),
                Arguments.of("$HTTP[\"cookie\"] =~ \"session=\"", (UnaryOperator<Request>) r -> r.withHeader("Cookie", "a=1; session=2"),
                        (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"language\"] =^ \"de\"", (UnaryOperator<Request>) r -> r.withHeader("Accept-Language", "de-CH,de;q=0.9"),
                        (UnaryOperator<Request>) r -> r.withHeader("Accept-Language", "en")),
                Arguments.of("$REQUEST_HEADER[\"X-Forwarded-Proto\"] == \"https\"",
                        (UnaryOperator<Request>) r -> r.withHeader("x-forwarded-proto", "https"), (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"url\"] =$ \".php\"", (UnaryOperator<Request>) r -> r,
                        (UnaryOperator<Request>) r -> Request.get("example.org", "/index.html")),
                Arguments.of("$HTTP[\"url\"] =^ \"/admin\"", (UnaryOperator<Request>) r -> Request.get("h", "/administrator"),
                        (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"url\"] != \"/index.php\"", (UnaryOperator<Request>) r -> Request.get("h", "/other"),
                        (UnaryOperator<Request>) r -> r),
                Arguments.of("$HTTP[\"host\"] =~ \"^(www\\.)?example\\.org$\"", (UnaryOperator<Request>) r -> Request.get("www.example.org", "/"),
                        (UnaryOperator<Request>) r -> Request.get("wwwexample.org", "/")),
                Arguments.of("$SERVER[\"socket\"] == \":8443\"", (UnaryOperator<Request>) r -> r.onSocket(":8443"),
                        (UnaryOperator<Request>) r -> r.onSocket("0.0.0.0:80")),
                Arguments.of("$SERVER[\"socket\"] == \"0.0.0.0:8443\"", (UnaryOperator<Request>) r -> r.onSocket(":8443"),
                        (UnaryOperator<Request>) r -> r.onSocket("127.0.0.1:8443")),
                Arguments.of("if $HTTP[\"host\"] =$ \".org\"", (UnaryOperator<Request>) r -> r,
                        (UnaryOperator<Request>) r -> Request.get("example.com", "/")));
    }

    @ParameterizedTest
    @MethodSource("fieldCases")
    void conditionHitsAndMisses(String condition, UnaryOperator<Request> hit, UnaryOperator<Request> miss)
            throws ConfigException {
        ServerConfig config = guarded(condition);
        assertEquals(Optional.of(Path.of("/hit")), rootFor(config, hit.apply(BASE)), condition + " should hold");
        assertEquals(Optional.of(Path.of("/miss")), rootFor(config, miss.apply(BASE)), condition + " should not hold");
    }

    @ParameterizedTest
    @ValueSource(strings = {"else if", "elseif", "elsif", "elif", "else"})
    void elseChainsTakeTheFirstBranchThatHolds(String elseWord) throws ConfigException {
        ServerConfig config = parseLines(
                "$HTTP[\"host\"] == \"a\" {",
                "  server.document-root = \"/a\"",
                "}",
                elseWord + " $HTTP[\"url\"] =^ \"/b\" {",
                "  server.document-root = \"/b\"",
                "} else {",
                "  server.document-root = \"/other\"",
                "}");
        assertEquals(Optional.of(Path.of("/a")), rootFor(config, Request.get("a", "/b/x")));
        assertEquals(Optional.of(Path.of("/b")), rootFor(config, Request.get("z", "/b/x")));
        assertEquals(Optional.of(Path.of("/other")), rootFor(config, Request.get("z", "/c")));
        assertEquals("!($HTTP[\"host\"] == \"a\") && !($HTTP[\"url\"] =^ \"/b\")",
                config.conditionals().get(2).guard().describe());
    }

    @Test
    void lighttpdHostElseIdiom() throws ConfigException {
        ServerConfig config = parse("$HTTP[\"host\"] == \"a\" { server.document-root = \"/a\" } else { server.document-root = \"/b\" }\n");
        assertEquals(Optional.of(Path.of("/a")), rootFor(config, Request.get("a", "/")));
        assertEquals(Optional.of(Path.of("/b")), rootFor(config, Request.get("b", "/")));
    }

    @Test
    void nestedBlocksCarryTheirParentsGuards() throws ConfigException {
        ServerConfig config = parseLines(
                "$HTTP[\"host\"] == \"a\" {",
                "  server.document-root = \"/a\"",
                "  $HTTP[\"url\"] =^ \"/api\" {",
                "    server.document-root = \"/a-api\"",
                "  }",
                "} else {",
                "  $HTTP[\"url\"] =^ \"/api\" {",
                "    server.document-root = \"/other-api\"",
                "  }",
                "}");
        assertEquals(4, config.conditionals().size());
        assertEquals(Optional.of(Path.of("/a-api")), rootFor(config, Request.get("a", "/api/v1")));
        assertEquals(Optional.of(Path.of("/a")), rootFor(config, Request.get("a", "/web")));
        assertEquals(Optional.of(Path.of("/other-api")), rootFor(config, Request.get("b", "/api/v1")));
        assertEquals(Optional.empty(), rootFor(config, Request.get("b", "/web")));
        assertEquals("$HTTP[\"host\"] == \"a\" && $HTTP[\"url\"] =^ \"/api\"", config.conditionals().get(1).guard().describe());
        assertEquals("!($HTTP[\"host\"] == \"a\") && $HTTP[\"url\"] =^ \"/api\"", config.conditionals().get(3).guard().describe());
        assertEquals(new SourceLocation(Configs.FILE, 3, 3), config.conditionals().get(1).location());
        assertEquals(new SourceLocation(Configs.FILE, 6, 3), config.conditionals().get(2).location());
    }

    @Test
    void laterBlocksOverrideEarlierOnesEvenWhenTheParentSetsLater() throws ConfigException {
        ServerConfig config = parseLines(
                "$HTTP[\"host\"] == \"a\" {",
                "  $HTTP[\"url\"] =^ \"/x\" { server.document-root = \"/x\" }",
                "  server.document-root = \"/a\"",
                "}",
                "$HTTP[\"url\"] =$ \".png\" { server.document-root = \"/img\" }");
        assertEquals(Optional.of(Path.of("/x")), rootFor(config, Request.get("a", "/x/1")));
        assertEquals(Optional.of(Path.of("/img")), rootFor(config, Request.get("a", "/x/1.png")));
        assertEquals(Optional.of(Path.of("/a")), rootFor(config, Request.get("a", "/y")));
    }

    @Test
    void resolveReturnsGlobalWhenNothingAppliesAndCachesCombinations() throws ConfigException {
        ServerConfig plain = parse("server.document-root = \"/srv\"\n");
        assertSame(plain.global(), plain.resolve(BASE));
        ServerConfig config = guarded("$HTTP[\"host\"] == \"a\"");
        assertSame(config.global(), config.resolve(Request.get("b", "/")));
        assertSame(config.resolve(Request.get("a", "/1")), config.resolve(Request.get("a", "/2")));
    }

    @Test
    void blocksThatSetNothingStillAppearInOrder() throws ConfigException {
        ServerConfig config = parseLines("$HTTP[\"host\"] == \"a\" { }", "$HTTP[\"host\"] == \"b\" { x = 1 }");
        assertEquals(2, config.conditionals().size());
        assertTrue(config.conditionals().get(1).scope().directives().isEmpty());
        assertSame(config.global(), config.resolve(Request.get("a", "/")));
    }

    @Test
    void serverSocketBlocksOpenListenersInOrder() throws ConfigException {
        ServerConfig config = parseLines(
                "server.port = 8080",
                "$SERVER[\"socket\"] == \":8081\" { server.document-root = \"/8081\" }",
                "$SERVER[\"socket\"] == \"127.0.0.1:8082\" { }",
                "$SERVER[\"socket\"] == \"[::1]:8083\" { }",
                "$SERVER[\"socket\"] == \"127.0.0.2\" { }",
                "$SERVER[\"socket\"] == \"/tmp/gh.sock\" { }",
                "$SERVER[\"socket\"] == \"0.0.0.0:8080\" { server.document-root = \"/main\" }",
                "$SERVER[\"socket\"] != \":9999\" { }");
        List<String> tokens = config.listeners().stream().map(ListenerConfig::token).toList();
        assertEquals(List.of("0.0.0.0:8080", ":8081", "127.0.0.1:8082", "[::1]:8083", "127.0.0.2", "/tmp/gh.sock"), tokens);
        assertEquals(Optional.of(new InetSocketAddress("0.0.0.0", 8081)), config.listeners().get(1).inetAddress());
        assertEquals(Optional.of(new InetSocketAddress("::1", 8083)), config.listeners().get(3).inetAddress());
        assertEquals(8080, config.listeners().get(4).port());
        assertEquals(Optional.of(Path.of("/tmp/gh.sock")), config.listeners().get(5).unixPath());
        assertEquals(new SourceLocation(Configs.FILE, 3, 1), config.listeners().get(2).location());
        assertEquals(Optional.of(Path.of("/8081")), rootFor(config, BASE.onSocket(":8081")));
        assertEquals(Optional.of(Path.of("/main")), rootFor(config, BASE.onSocket("0.0.0.0:8080")));
    }
}
