package io.gatehouse.conf;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** Parsing shortcuts for tests: text named {@value #FILE} with a fixed environment. */
final class Configs {

    static final String FILE = "test.conf";
    static final Map<String, String> ENV = Map.of("PORT", "8081", "SRCDIR", "/src", "HOME", "/root");

    private Configs() {
    }

    static ServerConfig parse(String text) throws ConfigException {
        return ConfigParser.parseString(text, FILE, Path.of("/tmp"), ENV);
    }

    /** Lines joined with newlines, so tests can state line numbers plainly. */
    static ServerConfig parseLines(String... lines) throws ConfigException {
        return parse(String.join("\n", lines) + "\n");
    }

    /** The message of the error parsing {@code text} must produce. */
    static String error(String text) {
        return assertThrows(ConfigException.class, () -> parse(text)).getMessage();
    }
}
