package io.gatehouse.core.internal.staticfile;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The table used where the config has no {@code mimetype.assign}: built from
 * {@code /etc/mime.types} as Debian's lighttpd package builds its {@code mimetype.assign}
 * ({@code create-mime.conf.pl}), else a small built-in one. lighttpd itself adds no charset; the
 * table does, for the text types Debian's script names (text/html carries its own in the page).
 *
 * <p>Stateless; thread-safe.
 */
public final class DefaultMimeTypes {

    /** Where the system's table lives. */
    public static final Path SYSTEM_TABLE = Path.of("/etc/mime.types");

    /** Far above the real file (about 75 KB): a larger one is not a mime.types file. */
    static final long MAX_TABLE_BYTES = 4 * 1024 * 1024;

    /** The text/* subtypes served with {@code ;charset=utf-8} (Debian's create-mime.conf.pl list). */
    private static final Set<String> UTF8_TEXT = Set.of("css", "csv", "markdown", "plain", "x-bibtex", "x-boo",
            "x-c++hdr", "x-c++src", "x-chdr", "x-csh", "x-csrc", "x-dsrc", "x-diff", "x-haskell", "x-java",
            "x-lilypond", "x-literate-haskell", "x-makefile", "x-moc", "x-pascal", "x-perl", "x-python", "x-scala",
            "x-sh", "x-tcl", "x-tex");

    /** Used when the system has no readable table: the types a web site commonly serves. */
    private static final String BUILT_IN = """
            text/html html htm
            text/css css
            text/javascript js mjs
            application/json json
            application/xml xml
            text/plain txt text
            text/markdown md markdown
            text/csv csv
            image/svg+xml svg svgz
            image/png png
            image/jpeg jpg jpeg
            image/gif gif
            image/webp webp
            image/vnd.microsoft.icon ico
            application/pdf pdf
            application/wasm wasm
            application/zip zip
            application/gzip gz
            application/x-tar tar
            font/woff woff
            font/woff2 woff2
            font/ttf ttf
            font/otf otf
            audio/mpeg mp3
            audio/ogg ogg oga
            video/mp4 mp4 m4v
            video/webm webm
            """;

    private DefaultMimeTypes() {
    }

    /** The system table if {@code table} is a readable regular file of sane size, else the built-in one. */
    public static MimeTypes load(Path table) {
        try {
            if (Files.isRegularFile(table) && Files.size(table) <= MAX_TABLE_BYTES) {
                try (BufferedReader reader = Files.newBufferedReader(table, StandardCharsets.ISO_8859_1)) {
                    return parse(reader.lines().toList());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unreadable or not text: the built-in table still serves the common types.
        }
        return parse(BUILT_IN.lines().toList());
    }

    /** mime.types lines ({@code type ext ext …}, {@code #} comments) as lighttpd suffix entries. */
    static MimeTypes parse(List<String> lines) {
        Map<String, String> byExtension = new LinkedHashMap<>();
        for (String line : lines) {
            int hash = line.indexOf('#');
            String[] fields = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (fields.length < 2 || fields[0].indexOf('/') <= 0) {
                continue;
            }
            for (int i = 1; i < fields.length; i++) {
                byExtension.merge("." + fields[i], fields[0], DefaultMimeTypes::preferred);
            }
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>(byExtension.size());
        byExtension.forEach((suffix, type) -> entries.add(Map.entry(suffix, withCharset(type))));
        return MimeTypes.of(entries);
    }

    /** Of two types listed for one extension: an {@code x-} type loses to a registered one, text/ beats application/. */
    private static String preferred(String have, String offered) {
        boolean haveX = isUnregistered(have);
        boolean offeredX = isUnregistered(offered);
        if (haveX != offeredX) {
            return haveX ? offered : have;
        }
        String haveSubtype = have.substring(have.indexOf('/') + 1);
        String offeredSubtype = offered.substring(offered.indexOf('/') + 1);
        if (haveSubtype.equals(offeredSubtype) && have.startsWith("application/") && offered.startsWith("text/")) {
            return offered;
        }
        return have;
    }

    private static boolean isUnregistered(String type) {
        return type.startsWith("x-") || type.substring(type.indexOf('/') + 1).startsWith("x-");
    }

    private static String withCharset(String type) {
        return type.startsWith("text/") && UTF8_TEXT.contains(type.substring(5)) ? type + ";charset=utf-8" : type;
    }
}
