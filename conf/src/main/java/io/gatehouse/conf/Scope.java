package io.gatehouse.conf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The settings that can differ per condition: document root, index files, backend routes, the
 * per-module options ({@code *.map-extensions}, {@code *.debug}, {@code *.balance}) and the
 * static-file settings ({@link StaticFileOptions}). A conditional
 * scope records only what its block sets; its accessors fall back to the enclosing block's values
 * (and to the defaults), and {@link ServerConfig#resolve(RequestFacts)} layers the scopes that hold
 * for a request.
 *
 * <p>Immutable; thread-safe.
 */
public final class Scope {

    /** The default of {@code index-file.names}. */
    public static final List<String> DEFAULT_INDEX_FILES = List.of("index.php", "index.html", "index.htm");

    private final Scope parent;
    private final Path documentRoot;
    private final List<String> indexFiles;
    private final List<Route> fastcgiRoutes;
    private final List<Route> scgiRoutes;
    private final Map<String, String> fastcgiMap;
    private final Map<String, String> scgiMap;
    private final Integer fastcgiDebug;
    private final Integer scgiDebug;
    private final Balance fastcgiBalance;
    private final Balance scgiBalance;
    private final boolean scgiFirst;
    private final StaticFileOptions staticFiles;
    private final StaticFileOptions effectiveStaticFiles;
    private final Map<String, SourceLocation> locations;
    private final List<Route> effectiveRoutes;

    private Scope(Builder b) {
        parent = b.parent;
        documentRoot = b.documentRoot;
        indexFiles = b.indexFiles;
        fastcgiRoutes = b.fastcgiRoutes == null ? null : List.copyOf(b.fastcgiRoutes);
        scgiRoutes = b.scgiRoutes == null ? null : List.copyOf(b.scgiRoutes);
        fastcgiMap = b.fastcgiMap;
        scgiMap = b.scgiMap;
        fastcgiDebug = b.fastcgiDebug;
        scgiDebug = b.scgiDebug;
        fastcgiBalance = b.fastcgiBalance;
        scgiBalance = b.scgiBalance;
        scgiFirst = b.scgiFirst;
        staticFiles = b.staticFiles;
        effectiveStaticFiles = parent == null ? staticFiles : staticFiles.over(parent.effectiveStaticFiles);
        locations = Map.copyOf(b.locations);
        effectiveRoutes = computeRoutes();
    }

    /** A builder for an empty scope. */
    public static Builder builder() {
        return new Builder();
    }

    /** The document root in force, if any. */
    public Optional<Path> documentRoot() {
        return Optional.ofNullable(pick(s -> s.documentRoot));
    }

    /** {@code index-file.names} in force ({@link #DEFAULT_INDEX_FILES} if never set). */
    public List<String> indexFiles() {
        List<String> value = pick(s -> s.indexFiles);
        return value != null ? value : DEFAULT_INDEX_FILES;
    }

    /**
     * The routes in force: {@code fastcgi.server} keys then {@code scgi.server} keys, each in config
     * order, or SCGI first when {@code server.modules} lists mod_scgi before mod_fastcgi (lighttpd
     * asks modules in that order).
     */
    public List<Route> routes() {
        return effectiveRoutes;
    }

    /** {@code <module>.map-extensions} in force for the module serving {@code protocol}. */
    public Map<String, String> mapExtensions(Protocol protocol) {
        Map<String, String> value = protocol == Protocol.FASTCGI ? pick(s -> s.fastcgiMap) : pick(s -> s.scgiMap);
        return value != null ? value : Map.of();
    }

    /** {@code <module>.debug} in force for the module serving {@code protocol} (0 if never set). */
    public int debugLevel(Protocol protocol) {
        Integer value = protocol == Protocol.FASTCGI ? pick(s -> s.fastcgiDebug) : pick(s -> s.scgiDebug);
        return value != null ? value : 0;
    }

    /** {@code <module>.balance} in force for the module serving {@code protocol}. */
    public Balance balance(Protocol protocol) {
        Balance value = explicitBalance(protocol);
        return value != null ? value : Balance.LEAST_CONNECTION;
    }

    /** The static-file settings in force ({@code mimetype.assign}, {@code static-file.*}, {@code etag.*}, …). */
    public StaticFileOptions staticFiles() {
        return effectiveStaticFiles;
    }

    /** The directives this scope itself sets (not inherited ones), e.g. {@code "server.document-root"}. */
    public Set<String> directives() {
        Set<String> set = new LinkedHashSet<>();
        addIf(set, documentRoot, "server.document-root");
        addIf(set, indexFiles, "index-file.names");
        addIf(set, fastcgiRoutes, "fastcgi.server");
        addIf(set, scgiRoutes, "scgi.server");
        addIf(set, fastcgiMap, "fastcgi.map-extensions");
        addIf(set, scgiMap, "scgi.map-extensions");
        addIf(set, fastcgiDebug, "fastcgi.debug");
        addIf(set, scgiDebug, "scgi.debug");
        addIf(set, fastcgiBalance, "fastcgi.balance");
        addIf(set, scgiBalance, "scgi.balance");
        set.addAll(staticFiles.directives());
        return Collections.unmodifiableSet(set);
    }

    /** Where this scope (or an enclosing one) sets {@code directive}. */
    public Optional<SourceLocation> locationOf(String directive) {
        return Optional.ofNullable(pick(s -> s.locations.get(directive)));
    }

    /** The scope that results from applying {@code layers} in order, each overriding what it sets. */
    static Scope layer(List<Scope> layers) {
        Builder merged = new Builder();
        for (Scope s : layers) {
            merged.documentRoot = or(s.documentRoot, merged.documentRoot);
            merged.indexFiles = or(s.indexFiles, merged.indexFiles);
            merged.fastcgiRoutes = or(s.fastcgiRoutes, merged.fastcgiRoutes);
            merged.scgiRoutes = or(s.scgiRoutes, merged.scgiRoutes);
            merged.fastcgiMap = or(s.fastcgiMap, merged.fastcgiMap);
            merged.scgiMap = or(s.scgiMap, merged.scgiMap);
            merged.fastcgiDebug = or(s.fastcgiDebug, merged.fastcgiDebug);
            merged.scgiDebug = or(s.scgiDebug, merged.scgiDebug);
            merged.fastcgiBalance = or(s.fastcgiBalance, merged.fastcgiBalance);
            merged.scgiBalance = or(s.scgiBalance, merged.scgiBalance);
            merged.scgiFirst = s.scgiFirst;
            merged.staticFiles = s.staticFiles.over(merged.staticFiles);
            merged.locations.putAll(s.locations);
        }
        return merged.build();
    }

    private List<Route> computeRoutes() {
        List<Route> fastcgi = balanced(pick(s -> s.fastcgiRoutes), explicitBalance(Protocol.FASTCGI));
        List<Route> scgi = balanced(pick(s -> s.scgiRoutes), explicitBalance(Protocol.SCGI));
        List<Route> all = new ArrayList<>(fastcgi.size() + scgi.size());
        all.addAll(scgiFirst ? scgi : fastcgi);
        all.addAll(scgiFirst ? fastcgi : scgi);
        return List.copyOf(all);
    }

    private Balance explicitBalance(Protocol protocol) {
        return protocol == Protocol.FASTCGI ? pick(s -> s.fastcgiBalance) : pick(s -> s.scgiBalance);
    }

    private static List<Route> balanced(List<Route> routes, Balance balance) {
        if (routes == null) {
            return List.of();
        }
        return balance == null ? routes : routes.stream().map(r -> r.withBalance(balance)).toList();
    }

    private interface Field<T> {
        T get(Scope scope);
    }

    private <T> T pick(Field<T> field) {
        for (Scope s = this; s != null; s = s.parent) {
            T value = field.get(s);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static <T> T or(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    private static void addIf(Set<String> set, Object value, String directive) {
        if (value != null) {
            set.add(directive);
        }
    }

    @Override
    public String toString() {
        return "Scope" + directives() + (parent != null ? " inheriting" : "") + " routes=" + effectiveRoutes;
    }

    /** Collects the settings of one scope. Not thread-safe. */
    public static final class Builder {
        private Scope parent;
        private Path documentRoot;
        private List<String> indexFiles;
        private List<Route> fastcgiRoutes;
        private List<Route> scgiRoutes;
        private Map<String, String> fastcgiMap;
        private Map<String, String> scgiMap;
        private Integer fastcgiDebug;
        private Integer scgiDebug;
        private Balance fastcgiBalance;
        private Balance scgiBalance;
        private boolean scgiFirst;
        private StaticFileOptions staticFiles = StaticFileOptions.NONE;
        private final Map<String, SourceLocation> locations = new LinkedHashMap<>();

        private Builder() {
        }

        /** The lexically enclosing scope whose values this one falls back to. */
        public Builder inheritFrom(Scope enclosing) {
            this.parent = enclosing;
            return this;
        }

        public Builder documentRoot(Path root) {
            this.documentRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        public Builder indexFiles(List<String> names) {
            this.indexFiles = List.copyOf(names);
            return this;
        }

        /** Sets the whole route list of the module serving {@code protocol} (an empty list clears it). */
        public Builder routes(Protocol protocol, List<Route> routes) {
            if (protocol == Protocol.FASTCGI) {
                fastcgiRoutes = new ArrayList<>(routes);
            } else {
                scgiRoutes = new ArrayList<>(routes);
            }
            return this;
        }

        /** Appends a route to the list of the module serving its protocol. */
        public Builder route(Route route) {
            List<Route> list = route.protocol() == Protocol.FASTCGI ? fastcgiRoutes : scgiRoutes;
            List<Route> grown = list == null ? new ArrayList<>() : list;
            grown.add(route);
            return routes(route.protocol(), grown);
        }

        public Builder mapExtensions(Protocol protocol, Map<String, String> map) {
            Map<String, String> copy = Collections.unmodifiableMap(new LinkedHashMap<>(map));
            if (protocol == Protocol.FASTCGI) {
                fastcgiMap = copy;
            } else {
                scgiMap = copy;
            }
            return this;
        }

        public Builder debugLevel(Protocol protocol, int level) {
            if (protocol == Protocol.FASTCGI) {
                fastcgiDebug = level;
            } else {
                scgiDebug = level;
            }
            return this;
        }

        public Builder balance(Protocol protocol, Balance balance) {
            if (protocol == Protocol.FASTCGI) {
                fastcgiBalance = balance;
            } else {
                scgiBalance = balance;
            }
            return this;
        }

        /** The static-file settings this scope itself sets. */
        public Builder staticFiles(StaticFileOptions options) {
            this.staticFiles = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Whether SCGI routes come before FastCGI ones (server.modules order). */
        public Builder scgiFirst(boolean first) {
            this.scgiFirst = first;
            return this;
        }

        /** Where a directive of this scope was written. */
        public Builder location(String directive, SourceLocation at) {
            locations.put(directive, at);
            return this;
        }

        public Scope build() {
            return new Scope(this);
        }
    }
}
