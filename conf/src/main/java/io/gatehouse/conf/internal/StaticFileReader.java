package io.gatehouse.conf.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.StaticFileOptions;
import io.gatehouse.conf.internal.Value.Entry;
import io.gatehouse.conf.internal.Value.StringValue;

/**
 * Reads the static-file directives of one block ({@code mimetype.assign}, {@code static-file.etags},
 * {@code etag.use-*}, {@code static-file.exclude-extensions}, {@code server.errorfile-prefix}) into
 * {@link StaticFileOptions}. Every bad value is an error naming its {@code file:line:col}.
 *
 * <p>Stateless; thread-safe.
 */
final class StaticFileReader {

    /** The directives read here; all may differ per condition. */
    static final Set<String> DIRECTIVES = Set.of("mimetype.assign", "static-file.etags", "etag.use-inode",
            "etag.use-mtime", "etag.use-size", "static-file.exclude-extensions", "server.errorfile-prefix");

    private StaticFileReader() {
    }

    /** Applies one directive of {@link #DIRECTIVES} to {@code options}. */
    static void read(String key, Value value, StaticFileOptions.Builder options) throws ConfigException {
        switch (key) {
            case "mimetype.assign" -> options.mimeTypes(mimeTypes(value));
            case "static-file.etags" -> options.etags(ValueReader.bool(value, key));
            case "etag.use-inode" -> options.etagUseInode(ValueReader.bool(value, key));
            case "etag.use-mtime" -> options.etagUseMtime(ValueReader.bool(value, key));
            case "etag.use-size" -> options.etagUseSize(ValueReader.bool(value, key));
            case "static-file.exclude-extensions" -> options.excludeExtensions(ValueReader.strings(value, key));
            case "server.errorfile-prefix" -> options.errorfilePrefix(ValueReader.string(value, key));
            default -> throw new IllegalStateException("not a static-file directive: " + key);
        }
    }

    /** {@code ( ".suffix" => "type", … )} in the order written (the order lighttpd tries them in). */
    private static List<Map.Entry<String, String>> mimeTypes(Value value) throws ConfigException {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (Entry entry : ValueReader.array(value, "mimetype.assign").entries()) {
            if (entry.key() == null) {
                throw new ConfigException(entry.location(), "mimetype.assign entries need a suffix, expected"
                        + " ( \".html\" => \"text/html\" ), got " + entry.value().describe());
            }
            if (!(entry.value() instanceof StringValue type)) {
                throw new ConfigException(entry.value().location(), "mimetype.assign " + Token.quote(entry.key())
                        + " must be a string (a media type), got " + entry.value().describe());
            }
            pairs.add(Map.entry(entry.key(), type.value()));
        }
        return pairs;
    }
}
