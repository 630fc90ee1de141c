package io.gatehouse.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gatehouse.conf.internal.Expression;
import io.gatehouse.conf.internal.Lexer;
import io.gatehouse.conf.internal.Parser;
import io.gatehouse.conf.internal.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the config pipeline (lexer, parser, evaluator, mapper) through
 * {@link ConfigParser#parseString}: the outcome is a config or a {@link ConfigException} whose
 * location is inside the text it blames, never another exception.
 *
 * <p>Includes stay inside a temporary directory holding a few small configs: an input is skipped
 * when an {@code include} names anything but a literal file name or glob without '/', and when it
 * uses {@code include_shell} (a fuzzer must not run shell commands).
 */
class ConfigParserFuzzTest {

    private static final String FILE_NAME = "fuzz.conf";
    private static final Map<String, String> ENVIRONMENT = Map.of("HOME", "/home/www");

    @TempDir
    static Path dir;

    @BeforeAll
    static void includableConfigs() throws IOException {
        Files.writeString(dir.resolve("php.conf"), """
                fastcgi.server += ( ".php" => (( "socket" => "php.sock", "check-local" => "disable" )) )
                """);
        Files.writeString(dir.resolve("hosts.conf"), """
                include "php.conf"
                $HTTP["host"] =~ "^(www\\.)?example\\.org$" { server.document-root = "www" }
                """);
        Files.writeString(dir.resolve("loop.conf"), "include \"loop.conf\"\n");
    }

    @FuzzTest(maxDuration = "15s")
    void configParser(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            if (!includesStayInside(Parser.parse(Lexer.tokenize(text, FILE_NAME)))) {
                return;
            }
            ConfigParser.parseString(text, FILE_NAME, dir, ENVIRONMENT);
        } catch (ConfigException e) {
            SourceLocation at = e.location();
            if (at.file().equals(FILE_NAME)) {
                long lines = text.chars().filter(c -> c == '\n').count() + 1;
                assertTrue(at.line() >= 1 && at.line() <= lines && at.column() >= 1,
                        "location " + at + " outside a text of " + lines + " lines: " + e.getMessage());
            }
        }
    }

    private static boolean includesStayInside(List<Statement> statements) {
        return statements.stream().allMatch(ConfigParserFuzzTest::staysInside);
    }

    private static boolean staysInside(Statement statement) {
        if (statement instanceof Statement.Include include) {
            return include.path() instanceof Expression.StringLiteral literal && literal.value().indexOf('/') < 0;
        }
        if (statement instanceof Statement.Global global) {
            return includesStayInside(global.body());
        }
        if (statement instanceof Statement.ConditionChain chain) {
            return chain.branches().stream().allMatch(branch -> includesStayInside(branch.body()));
        }
        return !(statement instanceof Statement.IncludeShell);
    }
}
