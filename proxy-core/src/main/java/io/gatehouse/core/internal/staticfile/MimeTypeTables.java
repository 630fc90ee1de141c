package io.gatehouse.core.internal.staticfile;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.gatehouse.conf.StaticFileOptions;

/**
 * The {@link MimeTypes} of one generation: one per {@code mimetype.assign} list of its config,
 * built on first use, and the default table for scopes that have none.
 *
 * <p>Thread-safe: the cache is guarded by its own lock, held only for a lookup or an insert.
 */
public final class MimeTypeTables {

    private final MimeTypes defaults;
    private final Map<List<Map.Entry<String, String>>, MimeTypes> configured = new IdentityHashMap<>();

    /** @param defaults the table for scopes without {@code mimetype.assign} */
    public MimeTypeTables(MimeTypes defaults) {
        this.defaults = defaults;
    }

    /** The table in force for {@code options}. */
    public MimeTypes of(StaticFileOptions options) {
        if (!options.mimeTypesSet()) {
            return defaults;
        }
        // Keyed by identity: the config hands out the same list for the same directive.
        List<Map.Entry<String, String>> assign = options.mimeTypes();
        synchronized (configured) {
            return configured.computeIfAbsent(assign, MimeTypes::of);
        }
    }
}
