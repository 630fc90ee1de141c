package io.gatehouse.itest.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Assertions;

/**
 * Finds the peer programs the end-to-end tests drive (php-cgi, php-fpm, fcgiwrap, uwsgi, curl,
 * lighttpd, git) on {@code PATH} and in {@code /usr/sbin} and {@code /usr/bin}, and the files of
 * the applications they run (dokuwiki, cgit).
 *
 * <p>A missing peer fails the test with the package to install: tests that need a peer are never
 * skipped silently, because CI ({@code .ci/run}) installs every peer.
 *
 * <p>Thread-safe: lookups are cached in a concurrent map.
 */
public final class Peers {

    /** Debian package(s) that provide each peer, for the failure message. */
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("php-cgi", "php-cgi"),
            Map.entry("php-fpm", "php-fpm"),
            Map.entry("fcgiwrap", "fcgiwrap"),
            Map.entry("uwsgi", "uwsgi-core uwsgi-plugin-python3"),
            Map.entry("curl", "curl"),
            Map.entry("lighttpd", "lighttpd"),
            Map.entry("git", "git"),
            Map.entry("openssl", "openssl"),
            Map.entry("nghttp", "nghttp2-client"),
            Map.entry("h2load", "nghttp2-client"),
            Map.entry("testssl", "testssl.sh"));
    private static final List<Path> SYSTEM_DIRS = List.of(Paths.get("/usr/sbin"), Paths.get("/usr/bin"));
    private static final Map<String, Optional<Path>> CACHE = new ConcurrentHashMap<>();

    private Peers() {
    }

    /** The names {@link #find} and {@link #require} accept. */
    public static List<String> names() {
        return PACKAGES.keySet().stream().sorted().toList();
    }

    /** The peer's executable, or empty when it is not installed. */
    public static Optional<Path> find(String name) {
        if (!PACKAGES.containsKey(name)) {
            throw new IllegalArgumentException("unknown peer '" + name + "': known peers are " + names());
        }
        return CACHE.computeIfAbsent(name, Peers::search);
    }

    /** The peer's executable; fails the test, naming the package to install, when it is missing. */
    public static Path require(String name) {
        Optional<Path> found = find(name);
        if (found.isEmpty()) {
            Assertions.fail(missingMessage(name));
        }
        return found.get();
    }

    static String missingMessage(String name) {
        return missingMessage(name, PACKAGES.get(name));
    }

    private static String missingMessage(String what, String pkg) {
        return what + " not found: install " + pkg + " (apt-get install " + pkg + "); .ci/run installs it";
    }

    /**
     * {@code file}, a file that Debian package {@code pkg} installs (an application rather than a
     * program on PATH); fails the test naming the package when it is missing.
     */
    public static Path requireFile(Path file, String pkg) {
        if (!Files.exists(file)) {
            Assertions.fail(missingMessage(file.toString(), pkg));
        }
        return file;
    }

    private static Optional<Path> search(String name) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    dirs.add(Paths.get(dir));
                }
            }
        }
        dirs.addAll(SYSTEM_DIRS);
        for (Path dir : dirs) {
            Optional<Path> hit = name.equals("php-fpm") ? newestPhpFpm(dir) : executable(dir.resolve(name));
            if (hit.isPresent()) {
                return hit;
            }
        }
        return Optional.empty();
    }

    /** Debian names the binary {@code php-fpm8.2}; with several versions we take the newest. */
    private static Optional<Path> newestPhpFpm(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "php-fpm*")) {
            for (Path entry : entries) {
                executable(entry).ifPresent(candidates::add);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return candidates.stream().max(Comparator.comparing(Peers::versionKey));
    }

    /** {@code php-fpm8.10} sorts after {@code php-fpm8.9}: compare the numbers, not the text. */
    private static String versionKey(Path binary) {
        String suffix = binary.getFileName().toString().substring("php-fpm".length());
        StringBuilder key = new StringBuilder();
        for (String part : suffix.split("\\.")) {
            key.append(String.format("%8s.", part.replaceAll("[^0-9]", "")));
        }
        return key.toString();
    }

    private static Optional<Path> executable(Path candidate) {
        return Files.isRegularFile(candidate) && Files.isExecutable(candidate)
                ? Optional.of(candidate) : Optional.empty();
    }
}
