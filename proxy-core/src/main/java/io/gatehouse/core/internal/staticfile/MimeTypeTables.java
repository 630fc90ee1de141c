package io.gatehouse.core.internal.staticfile;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.google.common.base.Suppliers;

import io.gatehouse.conf.StaticFileOptions;

/**
 * The {@link MimeTypes} of one generation: one per {@code mimetype.assign} list of its config,
 * built on first use, and the default table for scopes that have none, also read on first use:
 * reading {@code /etc/mime.types} takes about 100 ms of a cold JVM, which a start or a restart
 * should not spend before its first request, nor at all when it serves no static file.
 *
 * <p>Thread-safe: the cache is guarded by its own lock, held only for a lookup or an insert.
 */
public final class MimeTypeTables {

    private final Supplier<MimeTypes> defaults;
    private final Map<List<Map.Entry<String, String>>, MimeTypes> configured = new IdentityHashMap<>();

    /** @param defaults makes the table for scopes without {@code mimetype.assign}; called once, when first needed */
    public MimeTypeTables(Supplier<MimeTypes> defaults) {
        this.defaults = Suppliers.memoize(defaults::get);
    }

    /** The table in force for {@code options}. */
    public MimeTypes of(StaticFileOptions options) {
        if (!options.mimeTypesSet()) {
            return defaults.get();
        }
        // Keyed by identity: the config hands out the same list for the same directive.
        List<Map.Entry<String, String>> assign = options.mimeTypes();
        synchronized (configured) {
            return configured.computeIfAbsent(assign, MimeTypes::of);
        }
    }
}
