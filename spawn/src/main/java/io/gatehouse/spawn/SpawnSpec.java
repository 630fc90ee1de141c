package io.gatehouse.spawn;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to spawn for one backend: lighttpd's {@code bin-path} and the options that go with it.
 * Exactly one of {@code socket} (unix base path P; proc N listens on {@code P-N}) and {@code tcp}
 * (base address; proc N listens on port {@code port+N}) is present.
 *
 * @param label           the backend's name in logs and status (lighttpd's host label)
 * @param argv            program and arguments; argv[0] is resolved against PATH if it has no '/'
 * @param environment     {@code bin-environment}: set in the child on top of the copied variables
 * @param copyEnvironment {@code bin-copy-environment}: when non-empty, the only variables copied
 *                        from ours; when empty, all of ours are copied
 * @param socket          unix socket base path P
 * @param tcp             TCP base address
 * @param procs           {@code max-procs}: children to run
 * @param backlog         {@code listen-backlog} of each socket
 * @param killSignal      {@code kill-signal}: sent to each child's process group on stop
 * @param killTimeout     {@code kill-timeout}: how long a child may take to exit before SIGKILL
 * @param stderrFile      the child's fd 2 ({@code server.breakagelog}); empty = our own stderr
 *
 * <p>Immutable; the constructor checks every limit and throws {@link IllegalArgumentException}
 * naming the field, the value and the limit.
 */
public record SpawnSpec(String label, List<String> argv, Map<String, String> environment,
                        List<String> copyEnvironment, Optional<Path> socket, Optional<InetSocketAddress> tcp,
                        int procs, int backlog, int killSignal, Duration killTimeout, Optional<Path> stderrFile) {

    /** lighttpd's limit for a host label. */
    public static final int MAX_LABEL_LENGTH = 128;
    /** More procs than this is a typo: each one is a process and a socket. */
    public static final int MAX_PROCS = 256;
    /** lighttpd's default {@code max-procs}. */
    public static final int DEFAULT_PROCS = 4;
    /** lighttpd's default {@code listen-backlog}; the kernel caps it at net.core.somaxconn. */
    public static final int DEFAULT_BACKLOG = 1024;
    /** The largest backlog listen(2) takes as an int without the kernel treating it as negative. */
    public static final int MAX_BACKLOG = 65535;
    /** SIGTERM, lighttpd's default {@code kill-signal}. */
    public static final int DEFAULT_KILL_SIGNAL = 15;
    /** Linux numbers signals 1..64 (SIGRTMAX). */
    public static final int MAX_SIGNAL = 64;
    /** Backends often need a moment to finish requests and exit. */
    public static final Duration DEFAULT_KILL_TIMEOUT = Duration.ofSeconds(5);
    /** A stop that may hang longer than this is a configuration mistake, not patience. */
    public static final Duration MAX_KILL_TIMEOUT = Duration.ofHours(1);
    /** sun_path holds 108 bytes including the terminating NUL. */
    public static final int MAX_SOCKET_PATH_BYTES = 107;

    public SpawnSpec {
        Objects.requireNonNull(label, "label");
        if (label.isBlank() || label.length() > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("label \"" + label + "\" must be 1.." + MAX_LABEL_LENGTH
                    + " characters, not blank");
        }
        argv = List.copyOf(argv);
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("argv of backend \"" + label + "\" is empty: bin-path names no program");
        }
        for (String arg : argv) {
            requireNoNul("argv", arg);
        }
        environment = Map.copyOf(environment);
        environment.forEach((name, value) -> {
            requireVariableName("environment", name);
            requireNoNul("environment value of " + name, value);
        });
        copyEnvironment = List.copyOf(copyEnvironment);
        copyEnvironment.forEach(name -> requireVariableName("copyEnvironment", name));
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(tcp, "tcp");
        if (socket.isPresent() == tcp.isPresent()) {
            throw new IllegalArgumentException("backend \"" + label + "\" needs exactly one of socket and tcp, got "
                    + (socket.isPresent() ? "both" : "neither"));
        }
        if (procs < 1 || procs > MAX_PROCS) {
            throw new IllegalArgumentException("procs " + procs + " is outside 1.." + MAX_PROCS);
        }
        if (backlog < 1 || backlog > MAX_BACKLOG) {
            throw new IllegalArgumentException("backlog " + backlog + " is outside 1.." + MAX_BACKLOG);
        }
        if (killSignal < 1 || killSignal > MAX_SIGNAL) {
            throw new IllegalArgumentException("killSignal " + killSignal + " is outside 1.." + MAX_SIGNAL);
        }
        Objects.requireNonNull(killTimeout, "killTimeout");
        if (killTimeout.isNegative() || killTimeout.isZero() || killTimeout.compareTo(MAX_KILL_TIMEOUT) > 0) {
            throw new IllegalArgumentException("killTimeout " + killTimeout + " is outside (0, " + MAX_KILL_TIMEOUT
                    + "]");
        }
        Objects.requireNonNull(stderrFile, "stderrFile");
        socket.ifPresent(base -> checkSocketPath(base, procs));
        tcp.ifPresent(base -> checkPorts(base, procs));
    }

    /** A builder with lighttpd's defaults; set a socket or a TCP address before {@code build()}. */
    public static Builder builder(String label, List<String> argv) {
        return new Builder(label, argv);
    }

    /** Splits a {@code bin-path} value as lighttpd does: on spaces and tabs, with no quoting. */
    public static List<String> splitBinPath(String binPath) {
        List<String> argv = new ArrayList<>();
        for (String part : binPath.split("[ \t]+")) {
            if (!part.isEmpty()) {
                argv.add(part);
            }
        }
        return argv;
    }

    private static void checkSocketPath(Path base, int procs) {
        String longest = base + "-" + (procs - 1);
        int bytes = longest.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException("socket path " + longest + " is " + bytes + " bytes, the limit is "
                    + MAX_SOCKET_PATH_BYTES + " (sun_path)");
        }
    }

    private static void checkPorts(InetSocketAddress base, int procs) {
        int last = base.getPort() + procs - 1;
        if (base.getPort() < 1 || last > 65535) {
            throw new IllegalArgumentException("tcp port " + base.getPort() + " with " + procs
                    + " procs needs ports up to " + last + ", the limit is 1..65535");
        }
    }

    private static void requireVariableName(String field, String name) {
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " variable name \"" + name
                    + "\" must be non-empty without '=' or NUL");
        }
    }

    private static void requireNoNul(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " \"" + value.replace("\0", "\\0") + "\" contains NUL");
        }
    }

    /** Collects the fields of a {@link SpawnSpec}; not thread-safe. */
    public static final class Builder {
        private final String label;
        private final List<String> argv;
        private Map<String, String> environment = Map.of();
        private List<String> copyEnvironment = List.of();
        private Optional<Path> socket = Optional.empty();
        private Optional<InetSocketAddress> tcp = Optional.empty();
        private int procs = DEFAULT_PROCS;
        private int backlog = DEFAULT_BACKLOG;
        private int killSignal = DEFAULT_KILL_SIGNAL;
        private Duration killTimeout = DEFAULT_KILL_TIMEOUT;
        private Optional<Path> stderrFile = Optional.empty();

        private Builder(String label, List<String> argv) {
            this.label = label;
            this.argv = argv;
        }

        public Builder environment(Map<String, String> value) {
            environment = value;
            return this;
        }

        public Builder copyEnvironment(List<String> value) {
            copyEnvironment = value;
            return this;
        }

        public Builder socket(Path value) {
            socket = Optional.of(value);
            return this;
        }

        public Builder tcp(InetSocketAddress value) {
            tcp = Optional.of(value);
            return this;
        }

        public Builder procs(int value) {
            procs = value;
            return this;
        }

        public Builder backlog(int value) {
            backlog = value;
            return this;
        }

        public Builder killSignal(int value) {
            killSignal = value;
            return this;
        }

        public Builder killTimeout(Duration value) {
            killTimeout = value;
            return this;
        }

        public Builder stderrFile(Path value) {
            stderrFile = Optional.of(value);
            return this;
        }

        public SpawnSpec build() {
            return new SpawnSpec(label, argv, environment, copyEnvironment, socket, tcp, procs, backlog,
                    killSignal, killTimeout, stderrFile);
        }
    }
}
