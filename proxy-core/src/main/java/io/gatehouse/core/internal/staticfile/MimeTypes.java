package io.gatehouse.core.internal.staticfile;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code mimetype.assign} table and lighttpd 1.4.69's rule for picking a file's type from it
 * ({@code stat_cache_mimetype_by_ext}). A small table (fewer than {@value #SMALL_TABLE} entries) is
 * tried in the order written and the first key that ends the file's path wins, so with
 * {@code ".gz"} before {@code ".tar.gz"} {@code a.tar.gz} gets {@code .gz}'s type and {@code ""}
 * matches every name. A larger table is looked up by name instead: the whole file name, then the
 * longest extension ({@code .tar.gz} before {@code .gz}, each with and without its dot), then
 * {@code ""}. Keys compare without regard to case in both.
 *
 * <p>Immutable; thread-safe.
 */
public final class MimeTypes {

    /** lighttpd's threshold between the ordered suffix scan and the lookup by name. */
    static final int SMALL_TABLE = 16;

    private final List<Map.Entry<String, String>> ordered;
    private final Map<String, String> byKey;

    private MimeTypes(List<Map.Entry<String, String>> ordered) {
        this.ordered = List.copyOf(ordered);
        if (ordered.size() < SMALL_TABLE) {
            this.byKey = Map.of();
        } else {
            Map<String, String> map = new HashMap<>();
            for (Map.Entry<String, String> entry : ordered) {
                map.putIfAbsent(entry.getKey().toLowerCase(Locale.ROOT), entry.getValue());
            }
            this.byKey = map;
        }
    }

    /** The table of {@code mimetype.assign}, (suffix, type) in the order written. */
    public static MimeTypes of(List<Map.Entry<String, String>> suffixTypes) {
        return new MimeTypes(suffixTypes);
    }

    /** The number of entries. */
    public int size() {
        return ordered.size();
    }

    /** The type for the file at {@code path} (as on disk); null when no entry matches. */
    public String typeOf(String path) {
        return ordered.size() < SMALL_TABLE ? bySuffix(path) : byName(path);
    }

    private String bySuffix(String path) {
        for (Map.Entry<String, String> entry : ordered) {
            String suffix = entry.getKey();
            if (path.regionMatches(true, path.length() - suffix.length(), suffix, 0, suffix.length())) {
                return entry.getValue();
            }
        }
        return null;
    }

    private String byName(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        String type = byKey.get(name);
        for (int dot = name.indexOf('.', 1); type == null && dot >= 0; dot = name.indexOf('.', dot + 1)) {
            type = byKey.get(name.substring(dot));
            if (type == null && dot + 1 < name.length() && name.charAt(dot + 1) != '.') {
                type = byKey.get(name.substring(dot + 1));
            }
        }
        return type != null ? type : byKey.get("");
    }
}
