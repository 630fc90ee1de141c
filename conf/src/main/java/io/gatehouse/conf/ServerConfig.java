package io.gatehouse.conf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A whole server configuration, made by {@link ConfigParser} from a lighttpd-syntax file or by
 * {@link #builder()}: listeners, server-wide settings, the global {@link Scope} and the conditional
 * scopes, with the warnings the parser collected.
 *
 * <p>Immutable; thread-safe. {@link #resolve(RequestFacts)} caches the scopes it layers.
 */
public final class ServerConfig {

    /** Distinct combinations of matching conditions remembered by {@link #resolve}; more are layered per call. */
    public static final int MAX_CACHED_RESOLUTIONS = 256;

    /** The default of {@code accesslog.format}, lighttpd's (the combined log format with the Host). */
    public static final String DEFAULT_ACCESS_LOG_FORMAT =
            "%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"";

    /** lighttpd's default {@code server.max-request-field-size}. */
    public static final int DEFAULT_MAX_REQUEST_FIELD_SIZE = 8192;

    /** lighttpd's default {@code server.upload-dirs}. */
    public static final List<Path> DEFAULT_UPLOAD_DIRS = List.of(Path.of("/var/tmp"));

    /** Below this even a browser's ordinary request head (cookies included) would not fit. */
    public static final int MIN_REQUEST_FIELD_SIZE = 1024;

    /**
     * lighttpd's own ceiling. Heads are held while they arrive, so this times
     * {@code server.max-connections} bounds the memory unfinished heads can take.
     */
    public static final int MAX_REQUEST_FIELD_SIZE = 65535;

    private final Builder v;
    private final List<ConditionalScope> layering;
    private final List<BackendConfig> allBackends;
    private final Map<Key, Scope> resolved = new ConcurrentHashMap<>();

    private ServerConfig(Builder frozen) {
        this.v = frozen;
        this.layering = v.conditionals.stream().filter(c -> !c.scope().directives().isEmpty()).toList();
        Set<BackendConfig> backends = new LinkedHashSet<>();
        v.global.routes().forEach(r -> backends.addAll(r.backends()));
        v.conditionals.forEach(c -> c.scope().routes().forEach(r -> backends.addAll(r.backends())));
        this.allBackends = List.copyOf(backends);
    }

    /** A builder for configs made in code; unset values take the config-file defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The {@code -f} file this config was parsed from; empty for builder-made configs. */
    public Optional<Path> source() { return Optional.ofNullable(v.source); }
    /** The global {@code server.bind}/{@code server.port} first, then each {@code $SERVER["socket"]} in order; never empty. */
    public List<ListenerConfig> listeners() { return v.listeners; }
    public Optional<Path> pidFile() { return Optional.ofNullable(v.pidFile); }
    /** Empty = stderr. */
    public Optional<Path> errorLog() { return Optional.ofNullable(v.errorLog); }
    /** Where spawned backends' stderr goes; empty = the error log. */
    public Optional<Path> breakageLog() { return Optional.ofNullable(v.breakageLog); }
    /** How long a restart or graceful stop waits for requests in flight; {@link Duration#ZERO} = no limit. */
    public Duration gracefulShutdownTimeout() { return v.gracefulShutdownTimeout; }
    /** 0 = unlimited ({@code server.max-request-size} is in KiB). */
    public long maxRequestSizeBytes() { return v.maxRequestSizeBytes; }
    public String serverTag() { return v.serverTag; }
    /** {@code server.modules} in config order. */
    public Set<String> modules() { return v.modules; }
    public Optional<String> statusUrl() { return Optional.ofNullable(v.statusUrl); }
    public Optional<Path> accessLog() { return Optional.ofNullable(v.accessLog); }
    public String accessLogFormat() { return v.accessLogFormat; }
    public boolean systemdSocketActivation() { return v.systemdSocketActivation; }
    public ConnectionLimits connectionLimits() { return v.connectionLimits; }
    /** {@code server.http-parseopts}: how strictly request heads and targets are read. */
    public HttpParseOptions httpParseOptions() { return v.httpParseOptions; }
    /** {@code server.upload-dirs}: where chunked request bodies are spooled, tried in order. */
    public List<Path> uploadDirs() { return v.uploadDirs; }
    /** {@code server.max-request-field-size}: the largest request head, request line and headers together. */
    public int maxRequestFieldSize() { return v.maxRequestFieldSize; }
    /** HTTP/2 over TLS by ALPN ({@code server.feature-flags "server.h2proto"}, on unless disabled, as lighttpd 1.4.59+). */
    public boolean http2() { return v.http2; }
    /** HTTP/2 over plain TCP, by upgrade or prior knowledge ({@code "server.h2c"}, off unless enabled). */
    public boolean h2c() { return v.h2c; }
    /**
     * HTTPS certificates and keys read again when their files change ({@code server.feature-flags
     * "ssl.refresh-certs"}, off unless enabled, as lighttpd 1.4.78+).
     */
    public boolean refreshCertificates() { return v.refreshCertificates; }
    /** {@code server.feature-flags} as text values. */
    public Map<String, String> featureFlags() { return v.featureFlags; }
    public List<ConfigWarning> warnings() { return v.warnings; }
    /** The settings outside any condition. */
    public Scope global() { return v.global; }
    /** The conditional blocks in config order; nested blocks carry their parents' guards. */
    public List<ConditionalScope> conditionals() { return v.conditionals; }
    /** Every distinct backend of every scope, in order of first appearance (for spawning and preflight). */
    public List<BackendConfig> allBackends() { return allBackends; }

    /** Where a server-wide directive was written, if it was. */
    public Optional<SourceLocation> locationOf(String directive) {
        return Optional.ofNullable(v.locations.get(directive));
    }

    /**
     * The settings in force for one request: global, then every conditional scope whose guard
     * holds, in config order, each overriding the settings it sets (lighttpd semantics). Returns
     * {@link #global()} itself when no conditional scope applies.
     */
    public Scope resolve(RequestFacts facts) {
        if (layering.isEmpty()) {
            return v.global;
        }
        long[] bits = new long[(layering.size() + 63) / 64];
        boolean any = false;
        for (int i = 0; i < layering.size(); i++) {
            if (layering.get(i).guard().test(facts)) {
                bits[i / 64] |= 1L << (i % 64);
                any = true;
            }
        }
        if (!any) {
            return v.global;
        }
        Key key = new Key(bits);
        Scope cached = resolved.get(key);
        if (cached != null) {
            return cached;
        }
        List<Scope> layers = new ArrayList<>();
        layers.add(v.global);
        for (int i = 0; i < layering.size(); i++) {
            if ((bits[i / 64] & (1L << (i % 64))) != 0) {
                layers.add(layering.get(i).scope());
            }
        }
        Scope scope = Scope.layer(layers);
        if (resolved.size() < MAX_CACHED_RESOLUTIONS) {
            resolved.putIfAbsent(key, scope);
        }
        return scope;
    }

    @Override
    public String toString() {
        return "ServerConfig[" + (v.source != null ? v.source : "built in code") + ", listeners=" + v.listeners
                + ", " + v.conditionals.size() + " conditional scopes, " + allBackends.size() + " backends]";
    }

    private record Key(long[] bits) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key that && Arrays.equals(bits, that.bits);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bits);
        }
    }

    /** Collects a server configuration. Not thread-safe. */
    public static final class Builder {
        private Path source;
        private List<ListenerConfig> listeners = new ArrayList<>();
        private Path pidFile;
        private Path errorLog;
        private Path breakageLog;
        private Duration gracefulShutdownTimeout = Duration.ofSeconds(8);
        private long maxRequestSizeBytes;
        private String serverTag = "gatehouse";
        private Set<String> modules = new LinkedHashSet<>();
        private String statusUrl;
        private Path accessLog;
        private String accessLogFormat = DEFAULT_ACCESS_LOG_FORMAT;
        private boolean systemdSocketActivation;
        private ConnectionLimits connectionLimits = ConnectionLimits.DEFAULTS;
        private HttpParseOptions httpParseOptions = HttpParseOptions.DEFAULTS;
        private int maxRequestFieldSize = DEFAULT_MAX_REQUEST_FIELD_SIZE;
        private List<Path> uploadDirs = DEFAULT_UPLOAD_DIRS;
        private Map<String, String> featureFlags = new LinkedHashMap<>();
        private boolean http2 = true;
        private boolean h2c;
        private boolean refreshCertificates;
        private List<ConfigWarning> warnings = new ArrayList<>();
        private final Scope.Builder globalBuilder = Scope.builder();
        private Scope global;
        private List<ConditionalScope> conditionals = new ArrayList<>();
        private Map<String, SourceLocation> locations = new HashMap<>();

        private Builder() {
        }

        /** Adds a TCP listener. */
        public Builder listen(String host, int port) { return listener(ListenerConfig.tcp(host, port)); }
        /** Adds a unix-domain listener. */
        public Builder listenUnix(Path path) { return listener(ListenerConfig.unix(path)); }
        /** Adds a listener; one with the same address as an earlier one is ignored. */
        public Builder listener(ListenerConfig listener) {
            if (!listeners.contains(listener)) {
                listeners.add(listener);
            }
            return this;
        }
        public Builder documentRoot(Path root) { globalBuilder.documentRoot(root); return this; }
        public Builder indexFiles(List<String> names) { globalBuilder.indexFiles(names); return this; }
        /** Adds a route to the global scope. */
        public Builder route(Route route) { globalBuilder.route(route); return this; }
        /** Adds a {@code fastcgi.server} key to the global scope. */
        public Builder fastcgi(String key, BackendConfig... backends) { return route(Route.of(key, Protocol.FASTCGI, backends)); }
        /** Adds an {@code scgi.server} key to the global scope. */
        public Builder scgi(String key, BackendConfig... backends) { return route(Route.of(key, Protocol.SCGI, backends)); }
        /** Replaces the global scope entirely (documentRoot, indexFiles and route calls are then ignored). */
        public Builder global(Scope scope) { this.global = Objects.requireNonNull(scope); return this; }
        public Builder conditional(ConditionalScope scope) { conditionals.add(Objects.requireNonNull(scope)); return this; }
        public Builder source(Path file) { this.source = file; return this; }
        public Builder pidFile(Path file) { this.pidFile = file; return this; }
        public Builder errorLog(Path file) { this.errorLog = file; return this; }
        public Builder breakageLog(Path file) { this.breakageLog = file; return this; }
        public Builder accessLog(Path file) { this.accessLog = file; return this; }
        public Builder accessLogFormat(String format) { this.accessLogFormat = Objects.requireNonNull(format); return this; }
        /** {@link Duration#ZERO} = no limit. */
        public Builder gracefulShutdownTimeout(Duration timeout) { this.gracefulShutdownTimeout = Objects.requireNonNull(timeout); return this; }
        /** 0 = unlimited. */
        public Builder maxRequestSizeBytes(long bytes) { this.maxRequestSizeBytes = bytes; return this; }
        public Builder serverTag(String tag) { this.serverTag = Objects.requireNonNull(tag); return this; }
        public Builder modules(Collection<String> names) { this.modules = new LinkedHashSet<>(names); return this; }
        public Builder statusUrl(String url) { this.statusUrl = url; return this; }
        public Builder systemdSocketActivation(boolean enabled) { this.systemdSocketActivation = enabled; return this; }
        public Builder connectionLimits(ConnectionLimits limits) { this.connectionLimits = Objects.requireNonNull(limits); return this; }
        public Builder httpParseOptions(HttpParseOptions options) { this.httpParseOptions = Objects.requireNonNull(options); return this; }
        public Builder maxRequestFieldSize(int bytes) { this.maxRequestFieldSize = bytes; return this; }
        public Builder uploadDirs(List<Path> dirs) { this.uploadDirs = List.copyOf(dirs); return this; }
        public Builder http2(boolean enabled) { this.http2 = enabled; return this; }
        public Builder h2c(boolean enabled) { this.h2c = enabled; return this; }
        public Builder refreshCertificates(boolean enabled) { this.refreshCertificates = enabled; return this; }
        public Builder featureFlags(Map<String, String> flags) { this.featureFlags = new LinkedHashMap<>(flags); return this; }
        public Builder warning(ConfigWarning warning) { warnings.add(Objects.requireNonNull(warning)); return this; }
        /** Where a server-wide directive was written. */
        public Builder location(String directive, SourceLocation at) { locations.put(directive, at); return this; }

        /**
         * Makes the config. Without listeners it listens on {@code 0.0.0.0:80}, lighttpd's default.
         *
         * @throws IllegalArgumentException for a negative timeout or size, or two different spawned
         *     backends on the same socket path
         */
        public ServerConfig build() {
            if (gracefulShutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("graceful shutdown timeout must not be negative, got "
                        + gracefulShutdownTimeout);
            }
            if (maxRequestSizeBytes < 0) {
                throw new IllegalArgumentException("max request size must not be negative, got " + maxRequestSizeBytes);
            }
            if (maxRequestFieldSize < MIN_REQUEST_FIELD_SIZE || maxRequestFieldSize > MAX_REQUEST_FIELD_SIZE) {
                throw new IllegalArgumentException("max request field size must be between " + MIN_REQUEST_FIELD_SIZE
                        + " and " + MAX_REQUEST_FIELD_SIZE + " bytes, got " + maxRequestFieldSize);
            }
            Builder frozen = new Builder();
            frozen.source = source;
            frozen.listeners = List.copyOf(listeners.isEmpty() ? List.of(ListenerConfig.tcp("0.0.0.0", 80)) : listeners);
            frozen.pidFile = pidFile;
            frozen.errorLog = errorLog;
            frozen.breakageLog = breakageLog;
            frozen.gracefulShutdownTimeout = gracefulShutdownTimeout;
            frozen.maxRequestSizeBytes = maxRequestSizeBytes;
            frozen.serverTag = serverTag;
            frozen.modules = Collections.unmodifiableSet(new LinkedHashSet<>(modules));
            frozen.statusUrl = statusUrl;
            frozen.accessLog = accessLog;
            frozen.accessLogFormat = accessLogFormat;
            frozen.systemdSocketActivation = systemdSocketActivation;
            frozen.connectionLimits = connectionLimits;
            frozen.httpParseOptions = httpParseOptions;
            frozen.maxRequestFieldSize = maxRequestFieldSize;
            frozen.uploadDirs = uploadDirs.isEmpty() ? DEFAULT_UPLOAD_DIRS : uploadDirs;
            frozen.http2 = http2;
            frozen.h2c = h2c;
            frozen.refreshCertificates = refreshCertificates;
            frozen.featureFlags = Collections.unmodifiableMap(new LinkedHashMap<>(featureFlags));
            frozen.warnings = List.copyOf(warnings);
            frozen.global = global != null ? global : globalBuilder.build();
            frozen.conditionals = List.copyOf(conditionals);
            frozen.locations = Map.copyOf(locations);
            ServerConfig config = new ServerConfig(frozen);
            checkSpawnedSocketsDistinct(config.allBackends);
            return config;
        }

        private static void checkSpawnedSocketsDistinct(List<BackendConfig> backends) {
            Map<Path, BackendConfig> bySocket = new HashMap<>();
            for (BackendConfig backend : backends) {
                if (!backend.isSpawned() || backend.socket().isEmpty()) {
                    continue;
                }
                BackendConfig other = bySocket.putIfAbsent(backend.socket().get(), backend);
                if (other != null) {
                    throw new IllegalArgumentException("socket " + backend.socket().get() + " is used by two different"
                            + " spawned backends: " + other + " and " + backend);
                }
            }
        }
    }
}
