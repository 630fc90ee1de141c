package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.gatehouse.conf.ConditionalScope;
import io.gatehouse.conf.ServerConfig;

/**
 * The error files of one config ({@code server.errorfile-prefix}), read once when its generation
 * is loaded: {@code <prefix><status>.html} for every status from 400 to 599 of every prefix the
 * config names. An error page is then sent from memory on the I/O thread, which never waits for
 * the disk; a restart loads them again. A file that is missing, unreadable or over the limits is
 * left out and its status gets the built-in page, the last two with a warning.
 *
 * <p>Immutable once loaded; thread-safe.
 */
public final class ErrorDocuments {

    /** One error file larger than this is not kept: error pages are small, and each generation holds them. */
    static final int MAX_FILE_BYTES = 256 * 1024;

    /** All error files of one config together: bounds the memory a generation spends on them. */
    static final int MAX_TOTAL_BYTES = 4 * 1024 * 1024;

    /** The statuses lighttpd sends an error file for: 4xx and 5xx. */
    static final int FIRST_STATUS = 400;
    static final int LAST_STATUS = 599;

    private static final ErrorDocuments NONE = new ErrorDocuments(Map.of());

    private final Map<String, Map<Integer, byte[]>> byPrefix;

    private ErrorDocuments(Map<String, Map<Integer, byte[]>> byPrefix) {
        this.byPrefix = byPrefix;
    }

    /** No error files: every error gets the built-in page. */
    public static ErrorDocuments none() {
        return NONE;
    }

    /**
     * Reads the error files of every {@code server.errorfile-prefix} in {@code config}.
     *
     * @param warn told, one sentence each, about a file left out for its size or a read error
     */
    public static ErrorDocuments load(ServerConfig config, Consumer<String> warn) {
        Set<String> prefixes = new LinkedHashSet<>();
        config.global().staticFiles().errorfilePrefix().ifPresent(prefixes::add);
        for (ConditionalScope conditional : config.conditionals()) {
            conditional.scope().staticFiles().errorfilePrefix().ifPresent(prefixes::add);
        }
        Map<String, Map<Integer, byte[]>> byPrefix = new HashMap<>();
        long total = 0;
        for (String prefix : prefixes) {
            Map<Integer, byte[]> files = new HashMap<>();
            for (int status = FIRST_STATUS; status <= LAST_STATUS; status++) {
                byte[] body = read(prefix + status + ".html", MAX_TOTAL_BYTES - total, warn);
                if (body != null) {
                    files.put(status, body);
                    total += body.length;
                }
            }
            byPrefix.put(prefix, Map.copyOf(files));
        }
        return byPrefix.isEmpty() ? NONE : new ErrorDocuments(Map.copyOf(byPrefix));
    }

    /** The bytes of {@code <prefix><status>.html} as loaded, if that file was kept. */
    public Optional<byte[]> body(String prefix, int status) {
        Map<Integer, byte[]> files = byPrefix.get(prefix);
        return files == null ? Optional.empty() : Optional.ofNullable(files.get(status));
    }

    /** A file's bytes, or null when it is not a readable regular file within the limits. */
    private static byte[] read(String name, long budget, Consumer<String> warn) {
        Path path;
        try {
            path = Path.of(name);
        } catch (RuntimeException e) {
            return null;
        }
        // A symbolic link is followed, as lighttpd follows it; the type and size are those of the
        // file it leads to, checked again on what is read below.
        try {
            if (!Files.readAttributes(path, BasicFileAttributes.class).isRegularFile()) {
                return null;
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            warn.accept("error file " + name + " cannot be read (" + e + "): the built-in page is sent instead");
            return null;
        }
        long limit = Math.min(MAX_FILE_BYTES, budget);
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes((int) limit + 1);
            if (bytes.length > limit) {
                warn.accept("error file " + name + " is over " + (limit == MAX_FILE_BYTES
                        ? MAX_FILE_BYTES / 1024 + " KiB" : "what is left of the " + MAX_TOTAL_BYTES / (1024 * 1024)
                        + " MiB all error files may hold") + ": the built-in page is sent instead");
                return null;
            }
            return bytes;
        } catch (IOException | RuntimeException e) {
            warn.accept("error file " + name + " cannot be read (" + e + "): the built-in page is sent instead");
            return null;
        }
    }
}
