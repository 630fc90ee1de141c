package io.gatehouse.conf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.gatehouse.conf.internal.OptionException;

/**
 * One backend host: a label inside a {@code fastcgi.server}/{@code scgi.server} key, reached over a
 * unix socket or TCP and optionally spawned from {@code bin-path}. Options and defaults are
 * lighttpd's ({@code max-procs} 4, {@code connect-timeout} 8 s, {@code disable-time} 1 s,
 * {@code check-local} enabled, …) plus gatehouse's own {@code kill-timeout}, {@code restart-mode}
 * and {@code keep-alive}.
 *
 * <p>Equality is by value: two definitions with the same options are the same backend wherever they
 * were written (locations do not take part). Immutable; thread-safe.
 */
public final class BackendConfig {

    /** lighttpd's limit for a host label, which becomes part of the status ids. */
    public static final int MAX_LABEL_LENGTH = 128;
    /** A typo in max-procs must not fork thousands of processes. */
    public static final int MAX_PROCS = 1024;
    /** sun_path holds 108 bytes including the terminating NUL. */
    public static final int MAX_UNIX_PATH_BYTES = 107;
    /** Overlap restarts use {@code <socket>-<generation>-<N>}: room for a million generations. */
    public static final int OVERLAP_GENERATION_DIGITS = 6;
    /** Linux signals run from 1 to SIGRTMAX = 64. */
    public static final int MAX_SIGNAL = 64;

    private final Builder v;

    private BackendConfig(Builder frozen) {
        this.v = frozen;
    }

    /** An empty builder; give it an address ({@code socket}, {@code host}/{@code port}) or a {@code bin-path}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A TCP backend at {@code host:port} that is already running. */
    public static Builder tcp(String host, int port) {
        return new Builder().host(host).port(port);
    }

    /** A backend on a unix socket that is already running. */
    public static Builder unix(Path socket) {
        return new Builder().socket(socket);
    }

    /** A backend spawned from {@code binPath}; give it a {@code socket} (or a {@code port}) too. */
    public static Builder spawn(String binPath) {
        return new Builder().binPath(binPath);
    }

    /** A builder holding this backend's options, to derive a variant. */
    public Builder toBuilder() {
        return v.copy();
    }

    /** The same backend spoken to with {@code protocol}. */
    public BackendConfig withProtocol(Protocol protocol) {
        return protocol == v.protocol ? this : toBuilder().protocol(protocol).build();
    }

    public String label() { return v.label; }
    public Protocol protocol() { return v.protocol; }
    public Optional<String> host() { return Optional.ofNullable(v.host); }
    /** The TCP port (80 when a TCP backend gave none); 0 for unix backends. */
    public int port() { return v.port; }
    public Optional<Path> socket() { return Optional.ofNullable(v.socket); }
    /** {@code bin-path} split on spaces and tabs into argv, as lighttpd (no quoting). */
    public Optional<List<String>> binPath() { return Optional.ofNullable(v.binPath); }
    public Map<String, String> binEnvironment() { return v.binEnvironment; }
    public List<String> binCopyEnvironment() { return v.binCopyEnvironment; }
    public int maxProcs() { return v.maxProcs; }
    /** Clamped to {@link #maxProcs()}. */
    public int minProcs() { return Math.min(v.minProcs, v.maxProcs); }
    public int maxLoadPerProc() { return v.maxLoadPerProc; }
    public Duration idleTimeout() { return v.idleTimeout; }
    public int killSignal() { return v.killSignal; }
    /** How long after {@link #killSignal()} a process that is still running gets SIGKILL. */
    public Duration killTimeout() { return v.killTimeout; }
    public boolean checkLocal() { return v.checkLocal; }
    public Optional<Path> docroot() { return Optional.ofNullable(v.docroot); }
    public boolean fixRootScriptname() { return v.fixRootScriptname; }
    public boolean brokenScriptfilename() { return v.brokenScriptfilename; }
    /** The prefix to strip from REQUEST_URI, trailing '/' removed. */
    public Optional<String> stripRequestUri() { return Optional.ofNullable(v.stripRequestUri); }
    public boolean xSendfile() { return v.xSendfile; }
    public List<Path> xSendfileDocroot() { return v.xSendfileDocroot; }
    public Duration connectTimeout() { return v.connectTimeout; }
    /** {@link Duration#ZERO} = no limit. */
    public Duration readTimeout() { return v.readTimeout; }
    /** {@link Duration#ZERO} = no limit. */
    public Duration writeTimeout() { return v.writeTimeout; }
    public Duration disableTime() { return v.disableTime; }
    public int listenBacklog() { return v.listenBacklog; }
    /** {@code "responder"} or {@code "authorizer"}. */
    public String mode() { return v.mode; }
    /** {@code "sequenced"} (stop old, then spawn new) or {@code "overlap"}. */
    public String restartMode() { return v.restartMode; }
    /** Whether FastCGI connections are kept open and reused. */
    public boolean keepAlive() { return v.keepAlive; }
    /**
     * With {@link #keepAlive()}: the most connections open to one backend process at once; requests
     * beyond it wait for one to come free. 0 = no limit.
     */
    public int maxConnections() { return v.maxConnections; }
    public boolean tcpFinPropagate() { return v.tcpFinPropagate; }
    public boolean upgrade() { return v.upgrade; }
    /** Where the backend's options were written ({@link SourceLocation#API} for builder-made ones). */
    public SourceLocation location() { return v.location; }

    /** Where one option's value was written, falling back to {@link #location()}. */
    public SourceLocation optionLocation(String option) {
        return v.optionLocations.getOrDefault(option, v.location);
    }

    /** Whether the backend is reached over a unix socket. */
    public boolean isUnix() {
        return v.socket != null;
    }

    /** Whether gatehouse spawns the backend ({@code bin-path} is set). */
    public boolean isSpawned() {
        return v.binPath != null;
    }

    /** Applies lighttpd's defaults that depend on other options and rejects impossible combinations. */
    private static void checkAndComplete(Builder b) {
        if (b.label.isEmpty() || b.label.length() > MAX_LABEL_LENGTH) {
            throw new OptionException(null, "host label must be 1.." + MAX_LABEL_LENGTH + " characters, got "
                    + b.label.length());
        }
        if (b.maxProcs < 1 || b.maxProcs > MAX_PROCS) {
            throw new OptionException("max-procs", "max-procs must be 1.." + MAX_PROCS + ", got " + b.maxProcs);
        }
        if (b.minProcs < 0) {
            throw new OptionException("min-procs", "min-procs must not be negative, got " + b.minProcs);
        }
        boolean portGiven = b.port != 0;
        if (b.socket != null) {
            if (b.host != null || portGiven) {
                throw new OptionException("socket", "socket cannot be combined with host or port"
                        + " (a backend is either a unix socket or a TCP address)");
            }
            checkSocketPathLength(b);
        } else {
            if (b.host == null && !portGiven && b.binPath == null) {
                throw new OptionException(null, "a backend needs \"socket\", \"host\"/\"port\" or \"bin-path\"");
            }
            if (b.binPath != null && !portGiven) {
                throw new OptionException("bin-path", "bin-path with a TCP backend needs a \"port\""
                        + " (process N listens on port + N), or give a \"socket\" instead");
            }
            if (b.host == null) {
                b.host = "127.0.0.1";
            }
            if (b.host.isBlank()) {
                throw new OptionException("host", "host must not be empty");
            }
            if (!portGiven) {
                b.port = 80;
            }
            int lastPort = b.binPath == null ? b.port : b.port + b.maxProcs - 1;
            if (b.port < 1 || lastPort > 65535) {
                throw new OptionException("port", "port must be 1..65535" + (lastPort != b.port
                        ? " for each of the " + b.maxProcs + " processes (port + N)" : "") + ", got " + b.port);
            }
        }
        if (b.maxLoadPerProc < 1) {
            throw new OptionException("max-load-per-proc", "max-load-per-proc must be at least 1, got "
                    + b.maxLoadPerProc);
        }
        if (b.killSignal < 1 || b.killSignal > MAX_SIGNAL) {
            throw new OptionException("kill-signal", "kill-signal must be 1.." + MAX_SIGNAL + ", got " + b.killSignal);
        }
        nonNegative("idle-timeout", b.idleTimeout);
        nonNegative("kill-timeout", b.killTimeout);
        nonNegative("connect-timeout", b.connectTimeout);
        nonNegative("read-timeout", b.readTimeout);
        nonNegative("write-timeout", b.writeTimeout);
        nonNegative("disable-time", b.disableTime);
        if (b.listenBacklog < 1) {
            throw new OptionException("listen-backlog", "listen-backlog must be at least 1, got " + b.listenBacklog);
        }
        if (!b.mode.equals("responder") && !b.mode.equals("authorizer")) {
            throw new OptionException("mode", "mode must be \"responder\" or \"authorizer\", got \"" + b.mode + "\"");
        }
        if (!b.restartMode.equals("sequenced") && !b.restartMode.equals("overlap")) {
            throw new OptionException("restart-mode", "restart-mode must be \"sequenced\" or \"overlap\", got \""
                    + b.restartMode + "\"");
        }
        if (b.maxConnections < 0) {
            throw new OptionException("max-connections", "max-connections must not be negative, got "
                    + b.maxConnections);
        }
        if (b.maxConnections > 0 && !b.keepAlive) {
            throw new OptionException("max-connections", "max-connections limits kept connections: it needs"
                    + " \"keep-alive\" => \"enable\"");
        }
        for (Path root : b.xSendfileDocroot) {
            if (!root.isAbsolute()) {
                throw new OptionException("x-sendfile-docroot", "x-sendfile-docroot entries must be absolute paths,"
                        + " got \"" + root + "\"");
            }
        }
    }

    private static void checkSocketPathLength(Builder b) {
        int suffix = 0;
        String why = "";
        if (b.binPath != null) {
            suffix = ("-" + (b.maxProcs - 1)).length();
            why = " plus the \"-N\" suffix of each spawned process";
            if (b.restartMode.equals("overlap")) {
                suffix += 1 + OVERLAP_GENERATION_DIGITS;
                why = " plus the \"-<generation>-N\" suffix of overlap restarts";
            }
        }
        int bytes = b.socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes + suffix > MAX_UNIX_PATH_BYTES) {
            throw new OptionException("socket", "socket path \"" + b.socket + "\" is " + bytes + " bytes; it" + why
                    + " must fit in " + MAX_UNIX_PATH_BYTES + " bytes, so the limit for this path is "
                    + (MAX_UNIX_PATH_BYTES - suffix));
        }
    }

    private static void nonNegative(String option, Duration value) {
        if (value.isNegative()) {
            throw new OptionException(option, option + " must not be negative, got " + value.getSeconds());
        }
    }

    private List<Object> identity() {
        return Arrays.asList(v.label, v.protocol, v.host, v.port, v.socket, v.binPath, v.binEnvironment,
                v.binCopyEnvironment, v.maxProcs, minProcs(), v.maxLoadPerProc, v.idleTimeout, v.killSignal,
                v.killTimeout, v.checkLocal, v.docroot, v.fixRootScriptname, v.brokenScriptfilename,
                v.stripRequestUri, v.xSendfile, v.xSendfileDocroot, v.connectTimeout, v.readTimeout,
                v.writeTimeout, v.disableTime, v.listenBacklog, v.mode, v.restartMode, v.keepAlive,
                v.maxConnections, v.tcpFinPropagate, v.upgrade);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackendConfig that && identity().equals(that.identity());
    }

    @Override
    public int hashCode() {
        return identity().hashCode();
    }

    @Override
    public String toString() {
        String address = isUnix() ? "socket=" + v.socket : "host=" + v.host + ":" + v.port;
        String spawn = isSpawned() ? ", bin-path=" + String.join(" ", v.binPath) + ", max-procs=" + v.maxProcs : "";
        return "BackendConfig[" + v.protocol + " \"" + v.label + "\" " + address + spawn + " at " + v.location + "]";
    }

    /**
     * Collects the options of one backend. Each option method names the lighttpd option it sets;
     * {@link #build()} checks the combination. Not thread-safe.
     */
    public static final class Builder {
        private String label = "backend";
        private Protocol protocol = Protocol.FASTCGI;
        private String host;
        private int port;
        private Path socket;
        private List<String> binPath;
        private Map<String, String> binEnvironment = Map.of();
        private List<String> binCopyEnvironment = List.of();
        private int maxProcs = 4;
        private int minProcs = 4;
        private int maxLoadPerProc = 1;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int killSignal = 15;
        private Duration killTimeout = Duration.ofSeconds(5);
        private boolean checkLocal = true;
        private Path docroot;
        private boolean fixRootScriptname;
        private boolean brokenScriptfilename;
        private String stripRequestUri;
        private boolean xSendfile;
        private List<Path> xSendfileDocroot = List.of();
        private Duration connectTimeout = Duration.ofSeconds(8);
        private Duration readTimeout = Duration.ZERO;
        private Duration writeTimeout = Duration.ZERO;
        private Duration disableTime = Duration.ofSeconds(1);
        private int listenBacklog = 1024;
        private String mode = "responder";
        private String restartMode = "sequenced";
        private boolean keepAlive;
        private int maxConnections;
        private boolean tcpFinPropagate;
        private boolean upgrade;
        private SourceLocation location = SourceLocation.API;
        private Map<String, SourceLocation> optionLocations = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder label(String label) { this.label = Objects.requireNonNull(label, "label"); return this; }
        public Builder protocol(Protocol protocol) { this.protocol = Objects.requireNonNull(protocol); return this; }
        /** {@code host}; a value starting with '/' is a unix socket path, as lighttpd. */
        public Builder host(String host) {
            if (host != null && host.startsWith("/")) {
                return socket(Path.of(host));
            }
            this.host = host;
            return this;
        }
        public Builder port(int port) { this.port = port; return this; }
        public Builder socket(Path socket) { this.socket = socket; return this; }
        /** {@code bin-path}: the command line, split on spaces and tabs. */
        public Builder binPath(String commandLine) {
            List<String> argv = Arrays.stream(commandLine.split("[ \t]+")).filter(s -> !s.isEmpty()).toList();
            if (argv.isEmpty()) {
                throw new OptionException("bin-path", "bin-path must name a program, got \"" + commandLine + "\"");
            }
            this.binPath = argv;
            return this;
        }
        public Builder binEnvironment(Map<String, String> environment) {
            this.binEnvironment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
            return this;
        }
        public Builder binCopyEnvironment(List<String> names) { this.binCopyEnvironment = List.copyOf(names); return this; }
        public Builder maxProcs(int maxProcs) { this.maxProcs = maxProcs; return this; }
        public Builder minProcs(int minProcs) { this.minProcs = minProcs; return this; }
        public Builder maxLoadPerProc(int load) { this.maxLoadPerProc = load; return this; }
        public Builder idleTimeout(Duration timeout) { this.idleTimeout = Objects.requireNonNull(timeout); return this; }
        public Builder killSignal(int signal) { this.killSignal = signal; return this; }
        public Builder killTimeout(Duration timeout) { this.killTimeout = Objects.requireNonNull(timeout); return this; }
        public Builder checkLocal(boolean checkLocal) { this.checkLocal = checkLocal; return this; }
        public Builder docroot(Path docroot) { this.docroot = docroot; return this; }
        public Builder fixRootScriptname(boolean fix) { this.fixRootScriptname = fix; return this; }
        public Builder brokenScriptfilename(boolean broken) { this.brokenScriptfilename = broken; return this; }
        /** {@code strip-request-uri}; a trailing '/' is removed, as lighttpd does at load. */
        public Builder stripRequestUri(String prefix) {
            String stripped = prefix;
            while (stripped != null && stripped.endsWith("/")) {
                stripped = stripped.substring(0, stripped.length() - 1);
            }
            this.stripRequestUri = stripped == null || stripped.isEmpty() ? null : stripped;
            return this;
        }
        public Builder xSendfile(boolean enabled) { this.xSendfile = enabled; return this; }
        public Builder xSendfileDocroot(List<Path> roots) { this.xSendfileDocroot = List.copyOf(roots); return this; }
        public Builder connectTimeout(Duration timeout) { this.connectTimeout = Objects.requireNonNull(timeout); return this; }
        public Builder readTimeout(Duration timeout) { this.readTimeout = Objects.requireNonNull(timeout); return this; }
        public Builder writeTimeout(Duration timeout) { this.writeTimeout = Objects.requireNonNull(timeout); return this; }
        public Builder disableTime(Duration time) { this.disableTime = Objects.requireNonNull(time); return this; }
        public Builder listenBacklog(int backlog) { this.listenBacklog = backlog; return this; }
        public Builder mode(String mode) { this.mode = Objects.requireNonNull(mode); return this; }
        public Builder restartMode(String restartMode) { this.restartMode = Objects.requireNonNull(restartMode); return this; }
        public Builder keepAlive(boolean keepAlive) { this.keepAlive = keepAlive; return this; }
        public Builder maxConnections(int max) { this.maxConnections = max; return this; }
        public Builder tcpFinPropagate(boolean propagate) { this.tcpFinPropagate = propagate; return this; }
        public Builder upgrade(boolean upgrade) { this.upgrade = upgrade; return this; }
        /** Where the backend was written; the config parser sets it, API users need not. */
        public Builder location(SourceLocation location) { this.location = Objects.requireNonNull(location); return this; }
        /** Where one option's value was written, for messages about that option. */
        public Builder optionLocation(String option, SourceLocation at) { optionLocations.put(option, at); return this; }

        /**
         * Checks the options and makes the backend.
         *
         * @throws IllegalArgumentException naming the option, the value and the rule it breaks
         */
        public BackendConfig build() {
            Builder frozen = copy();
            checkAndComplete(frozen);
            frozen.optionLocations = Map.copyOf(frozen.optionLocations);
            return new BackendConfig(frozen);
        }

        Builder copy() {
            Builder c = new Builder();
            c.label = label; c.protocol = protocol; c.host = host; c.port = port; c.socket = socket;
            c.binPath = binPath; c.binEnvironment = binEnvironment; c.binCopyEnvironment = binCopyEnvironment;
            c.maxProcs = maxProcs; c.minProcs = minProcs; c.maxLoadPerProc = maxLoadPerProc;
            c.idleTimeout = idleTimeout; c.killSignal = killSignal; c.killTimeout = killTimeout;
            c.checkLocal = checkLocal; c.docroot = docroot; c.fixRootScriptname = fixRootScriptname;
            c.brokenScriptfilename = brokenScriptfilename; c.stripRequestUri = stripRequestUri;
            c.xSendfile = xSendfile; c.xSendfileDocroot = xSendfileDocroot; c.connectTimeout = connectTimeout;
            c.readTimeout = readTimeout; c.writeTimeout = writeTimeout; c.disableTime = disableTime;
            c.listenBacklog = listenBacklog; c.mode = mode; c.restartMode = restartMode; c.keepAlive = keepAlive;
            c.maxConnections = maxConnections; c.tcpFinPropagate = tcpFinPropagate; c.upgrade = upgrade; c.location = location;
            c.optionLocations = new LinkedHashMap<>(optionLocations);
            return c;
        }
    }
}
