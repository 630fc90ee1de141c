package io.gatehouse.conf;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The static-file settings of one scope, as lighttpd's mod_staticfile and core read them:
 * {@code mimetype.assign}, {@code static-file.etags}, {@code etag.use-inode},
 * {@code etag.use-mtime}, {@code etag.use-size}, {@code static-file.exclude-extensions} and
 * {@code server.errorfile-prefix}. A value made for a conditional block holds only what that block
 * sets (the others null); {@link #over} lays it on the enclosing values, and the accessors give
 * lighttpd's defaults for what no block set.
 *
 * <p>Immutable; thread-safe.
 */
public final class StaticFileOptions {

    /** Nothing set: every accessor gives lighttpd's default. */
    public static final StaticFileOptions NONE = builder().build();

    private final List<Map.Entry<String, String>> mimeTypes;
    private final Boolean etags;
    private final Boolean etagUseInode;
    private final Boolean etagUseMtime;
    private final Boolean etagUseSize;
    private final List<String> excludeExtensions;
    private final String errorfilePrefix;

    private StaticFileOptions(Builder b) {
        mimeTypes = b.mimeTypes;
        etags = b.etags;
        etagUseInode = b.etagUseInode;
        etagUseMtime = b.etagUseMtime;
        etagUseSize = b.etagUseSize;
        excludeExtensions = b.excludeExtensions;
        errorfilePrefix = b.errorfilePrefix;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code mimetype.assign} in config order (suffix, type); empty when the config has none in
     * force, in which case the server uses its default table.
     */
    public List<Map.Entry<String, String>> mimeTypes() {
        return mimeTypes != null ? mimeTypes : List.of();
    }

    /** Whether {@code mimetype.assign} was set in force (an empty {@code ()} counts as set). */
    public boolean mimeTypesSet() {
        return mimeTypes != null;
    }

    /** {@code static-file.etags} (default enabled). */
    public boolean etags() {
        return etags == null || etags;
    }

    /** {@code etag.use-inode} (default enabled). */
    public boolean etagUseInode() {
        return etagUseInode == null || etagUseInode;
    }

    /** {@code etag.use-mtime} (default enabled). */
    public boolean etagUseMtime() {
        return etagUseMtime == null || etagUseMtime;
    }

    /** {@code etag.use-size} (default enabled). */
    public boolean etagUseSize() {
        return etagUseSize == null || etagUseSize;
    }

    /** {@code static-file.exclude-extensions}: file-name suffixes never sent as static files. */
    public List<String> excludeExtensions() {
        return excludeExtensions != null ? excludeExtensions : List.of();
    }

    /** {@code server.errorfile-prefix}: error bodies come from {@code <prefix><status>.html}. */
    public Optional<String> errorfilePrefix() {
        return Optional.ofNullable(errorfilePrefix).filter(p -> !p.isEmpty());
    }

    /** The directives set here (not inherited ones), e.g. {@code "mimetype.assign"}. */
    public Set<String> directives() {
        Set<String> set = new LinkedHashSet<>();
        addIf(set, mimeTypes, "mimetype.assign");
        addIf(set, etags, "static-file.etags");
        addIf(set, etagUseInode, "etag.use-inode");
        addIf(set, etagUseMtime, "etag.use-mtime");
        addIf(set, etagUseSize, "etag.use-size");
        addIf(set, excludeExtensions, "static-file.exclude-extensions");
        addIf(set, errorfilePrefix, "server.errorfile-prefix");
        return set;
    }

    private static void addIf(Set<String> set, Object value, String directive) {
        if (value != null) {
            set.add(directive);
        }
    }

    /** This block's settings laid over {@code below}'s: what this one sets wins. */
    public StaticFileOptions over(StaticFileOptions below) {
        Builder merged = new Builder();
        merged.mimeTypes = or(mimeTypes, below.mimeTypes);
        merged.etags = or(etags, below.etags);
        merged.etagUseInode = or(etagUseInode, below.etagUseInode);
        merged.etagUseMtime = or(etagUseMtime, below.etagUseMtime);
        merged.etagUseSize = or(etagUseSize, below.etagUseSize);
        merged.excludeExtensions = or(excludeExtensions, below.excludeExtensions);
        merged.errorfilePrefix = or(errorfilePrefix, below.errorfilePrefix);
        return merged.build();
    }

    private static <T> T or(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StaticFileOptions other && Objects.equals(mimeTypes, other.mimeTypes)
                && Objects.equals(etags, other.etags) && Objects.equals(etagUseInode, other.etagUseInode)
                && Objects.equals(etagUseMtime, other.etagUseMtime) && Objects.equals(etagUseSize, other.etagUseSize)
                && Objects.equals(excludeExtensions, other.excludeExtensions)
                && Objects.equals(errorfilePrefix, other.errorfilePrefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mimeTypes, etags, etagUseInode, etagUseMtime, etagUseSize, excludeExtensions,
                errorfilePrefix);
    }

    @Override
    public String toString() {
        return "StaticFileOptions[mimeTypes=" + mimeTypes + ", etags=" + etags + ", inode=" + etagUseInode
                + ", mtime=" + etagUseMtime + ", size=" + etagUseSize + ", exclude=" + excludeExtensions
                + ", errorfilePrefix=" + errorfilePrefix + "]";
    }

    /** Collects what one block sets. Not thread-safe. */
    public static final class Builder {
        private List<Map.Entry<String, String>> mimeTypes;
        private Boolean etags;
        private Boolean etagUseInode;
        private Boolean etagUseMtime;
        private Boolean etagUseSize;
        private List<String> excludeExtensions;
        private String errorfilePrefix;

        private Builder() {
        }

        /** {@code mimetype.assign}: (suffix, type) pairs, tried in this order. */
        public Builder mimeTypes(List<Map.Entry<String, String>> suffixTypes) {
            this.mimeTypes = suffixTypes.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
            return this;
        }

        public Builder etags(boolean enabled) {
            this.etags = enabled;
            return this;
        }

        public Builder etagUseInode(boolean use) {
            this.etagUseInode = use;
            return this;
        }

        public Builder etagUseMtime(boolean use) {
            this.etagUseMtime = use;
            return this;
        }

        public Builder etagUseSize(boolean use) {
            this.etagUseSize = use;
            return this;
        }

        public Builder excludeExtensions(List<String> suffixes) {
            this.excludeExtensions = List.copyOf(suffixes);
            return this;
        }

        public Builder errorfilePrefix(String prefix) {
            this.errorfilePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        public StaticFileOptions build() {
            return new StaticFileOptions(this);
        }
    }
}
