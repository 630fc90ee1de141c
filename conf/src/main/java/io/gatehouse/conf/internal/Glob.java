package io.gatehouse.conf.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Shell-style globbing for {@code include}, like glob(3) with {@code GLOB_BRACE}: {@code *},
 * {@code ?}, {@code [...]} (with {@code !} or {@code ^} negation) within one path component,
 * {@code {a,b}} alternatives expanded first, each alternative's matches sorted, and wildcards never
 * matching a leading dot. A backslash quotes the next character.
 *
 * <p>Stateless; thread-safe.
 */
public final class Glob {

    /** {@code {a,b}{c,d}…} multiplies; past this many alternatives it is a mistake, not a config. */
    public static final int MAX_ALTERNATIVES = 1024;

    /**
     * Paths one glob may hold at any step: four times the includes a parse allows. A pattern such as
     * {@code /*}{@code /*}{@code /*} would otherwise list the whole file system into the heap.
     */
    public static final int MAX_PATHS = 4 * ParseBudget.MAX_INCLUDES;

    private Glob() {
    }

    /** Whether {@code pattern} uses any glob syntax; a plain path must exist, a glob may match nothing. */
    public static boolean hasMagic(String pattern) {
        return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** The existing paths matching {@code pattern}, relative patterns taken from {@code baseDir}. */
    public static List<Path> expand(String pattern, Path baseDir) throws IOException {
        Set<Path> result = new LinkedHashSet<>();
        for (String alternative : expandBraces(pattern)) {
            Path start = baseDir.resolve(alternative.startsWith("/") ? "/" : "");
            List<Path> current = List.of(start);
            for (String component : alternative.split("/")) {
                if (component.isEmpty()) {
                    continue;
                }
                current = step(current, component);
            }
            current.stream().filter(Files::exists).map(Path::toString).sorted().map(Path::of).forEach(result::add);
            checkPaths(result.size(), alternative);
        }
        return new ArrayList<>(result);
    }

    private static List<Path> step(List<Path> directories, String component) throws IOException {
        List<Path> next = new ArrayList<>();
        boolean wild = GlobComponent.isWild(component);
        for (Path directory : directories) {
            if (!wild) {
                next.add(directory.resolve(unquote(component)));
                continue;
            }
            if (!Files.isDirectory(directory)) {
                continue;
            }
            GlobComponent matcher = GlobComponent.compile(component);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.startsWith(".") && !component.startsWith(".")) {
                        continue;
                    }
                    if (matcher.matches(name)) {
                        next.add(entry);
                        checkPaths(next.size(), component);
                    }
                }
            }
        }
        return next;
    }

    private static void checkPaths(int count, String at) {
        if (count > MAX_PATHS) {
            throw new IllegalArgumentException("it matches more than " + MAX_PATHS + " paths at '" + at
                    + "', the limit, expected a narrower pattern");
        }
    }

    /** {@code a{b,c}d} → {@code abd, acd}, in written order; unbalanced or comma-less braces stay literal. */
    static List<String> expandBraces(String pattern) {
        List<String> result = new ArrayList<>();
        expandInto(pattern, result, pattern);
        return result;
    }

    private static void expandInto(String text, List<String> result, String pattern) {
        int[] braces = findAlternation(text);
        if (braces == null) {
            result.add(text);
            if (result.size() > MAX_ALTERNATIVES) {
                throw new IllegalArgumentException("glob \"" + pattern + "\" expands to more than "
                        + MAX_ALTERNATIVES + " alternatives");
            }
            return;
        }
        String prefix = text.substring(0, braces[0]);
        String suffix = text.substring(braces[1] + 1);
        for (String part : splitTopLevel(text.substring(braces[0] + 1, braces[1]))) {
            expandInto(prefix + part + suffix, result, pattern);
        }
    }

    private static int[] findAlternation(String text) {
        for (int open = 0; open < text.length(); open++) {
            char c = text.charAt(open);
            if (c == '\\') {
                open++;
            } else if (c == '{') {
                int depth = 0;
                boolean comma = false;
                for (int i = open; i < text.length(); i++) {
                    char d = text.charAt(i);
                    if (d == '\\') {
                        i++;
                    } else if (d == '{') {
                        depth++;
                    } else if (d == '}' && --depth == 0) {
                        if (comma) {
                            return new int[] {open, i};
                        }
                        break;
                    } else if (d == ',' && depth == 1) {
                        comma = true;
                    }
                }
            }
        }
        return null;
    }

    private static List<String> splitTopLevel(String inner) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(inner.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(inner.substring(start));
        return parts;
    }

    private static String unquote(String component) {
        return component.replaceAll("\\\\(.)", "$1");
    }
}
