package io.gatehouse.conf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import io.gatehouse.conf.internal.Block;
import io.gatehouse.conf.internal.ConfigFileReader;
import io.gatehouse.conf.internal.ConfigMapper;
import io.gatehouse.conf.internal.Evaluator;

/**
 * Parses lighttpd-syntax config files into a {@link ServerConfig}. Relative {@code include} paths
 * and {@code include_shell} commands start from the directory of the main file; {@code env.NAME}
 * reads the given environment.
 *
 * <p>Stateless; thread-safe (each call parses independently).
 */
public final class ConfigParser {

    private ConfigParser() {
    }

    /** Parses {@code file} with the process environment. */
    public static ServerConfig parse(Path file) throws ConfigException {
        return parse(file, System.getenv());
    }

    /** Parses {@code file}; {@code env.NAME} and {@code include_shell} see {@code environment}. */
    public static ServerConfig parse(Path file, Map<String, String> environment) throws ConfigException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(environment, "environment");
        SourceLocation start = new SourceLocation(file.toString(), 1, 1);
        String text = ConfigFileReader.read(file, start);
        Path absolute = file.toAbsolutePath();
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw new ConfigException(start, "cannot read config file " + file + ": " + e, e);
        }
        Block root = Evaluator.evaluate(text, file.toString(), real, absolute.getParent(), environment);
        return ConfigMapper.map(root, file);
    }

    /**
     * Parses config text.
     *
     * @param fileName the name error messages use
     * @param baseDir where relative includes and include_shell start
     */
    public static ServerConfig parseString(String text, String fileName, Path baseDir, Map<String, String> environment)
            throws ConfigException {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(baseDir, "baseDir");
        Objects.requireNonNull(environment, "environment");
        Block root = Evaluator.evaluate(text, fileName, null, baseDir.toAbsolutePath(), environment);
        return ConfigMapper.map(root, null);
    }
}
