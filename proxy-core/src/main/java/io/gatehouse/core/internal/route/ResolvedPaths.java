package io.gatehouse.core.internal.route;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link PhysicalPath#resolve} with its answers kept for the rest of the second they were found
 * in, as lighttpd's default ("simple") stat cache keeps a stat: a script asked for a thousand
 * times a second costs one lookup on disk a second instead of a thousand. A file deleted or
 * replaced is noticed from the next second on.
 *
 * <p>Only paths that resolved to a file are kept, so requests for missing paths, however many,
 * cost no memory and a file that appears is found at once. When more than {@link #MAX_ENTRIES}
 * are held, all are dropped (a site's hot scripts are few; a scan through many paths just keeps
 * starting over).
 *
 * <p>One belongs to each generation: a reload starts with none kept, and two servers in one JVM
 * keep their own.
 *
 * <p>Thread-safe.
 */
public final class ResolvedPaths {

    static final int MAX_ENTRIES = 4096;

    /**
     * Written out rather than left to the record: a record's own {@code equals} and
     * {@code hashCode} are built from method handles the first time each runs, in the interpreter,
     * and this key is the first a request looks up (measured: the first request after a start
     * 42 to 38 ms after the listen, the second request's {@code equals} spared the same).
     */
    private record Key(Path root, String urlPath, List<String> indexFiles) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && urlPath.equals(key.urlPath) && root.equals(key.root)
                    && indexFiles.equals(key.indexFiles);
        }

        @Override
        public int hashCode() {
            return (root.hashCode() * 31 + urlPath.hashCode()) * 31 + indexFiles.hashCode();
        }
    }

    private record Entry(PhysicalPath path, long second) {
    }

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier clockSeconds;

    /** @param clockSeconds a monotonic clock in whole seconds */
    ResolvedPaths(LongSupplier clockSeconds) {
        this.clockSeconds = clockSeconds;
    }

    /** Keeps answers for the current second of {@link System#nanoTime()}. */
    public static ResolvedPaths perSecond() {
        return new ResolvedPaths(() -> System.nanoTime() / 1_000_000_000L);
    }

    /** As {@link PhysicalPath#resolve}, from this second's answer when there is one. */
    PhysicalPath resolve(Path root, String urlPath, List<String> indexFiles) {
        Key key = new Key(root, urlPath, indexFiles);
        long now = clockSeconds.getAsLong();
        Entry kept = entries.get(key);
        if (kept != null && kept.second() == now) {
            return kept.path();
        }
        PhysicalPath found = PhysicalPath.resolve(root, urlPath, indexFiles);
        if (found == null) {
            if (kept != null) {
                entries.remove(key, kept);
            }
            return null;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key, new Entry(found, now));
        return found;
    }

    /** Answers held now (diagnostics). */
    public int size() {
        return entries.size();
    }
}
