package io.gatehouse.conf.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Balance;
import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigWarning;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.SourceLocation;
import io.gatehouse.conf.internal.Value.ArrayValue;
import io.gatehouse.conf.internal.Value.Entry;
import io.gatehouse.conf.internal.Value.StringValue;

/**
 * Turns the value of {@code fastcgi.server} / {@code scgi.server} into routes:
 * {@code ( "<key>" => ( "<label>" => ( options… ), … ), … )} or, without labels,
 * {@code ( "<key>" => ( ( options… ), … ) )} (the label is then the key followed by the index).
 * Spawned backends that share a socket (or port) and bin-path are one backend, wherever they are
 * written, as lighttpd shares them; the same socket with another bin-path is an error.
 *
 * <p>Not thread-safe; one instance per parse (it remembers spawned backends across scopes).
 */
public final class BackendMapper {

    /** Every backend option gatehouse accepts: lighttpd's plus kill-timeout, restart-mode, keep-alive, max-connections. */
    public static final Set<String> OPTIONS = new TreeSet<>(List.of(
            "host", "port", "socket", "bin-path", "bin-environment", "bin-copy-environment", "max-procs",
            "min-procs", "max-load-per-proc", "idle-timeout", "kill-signal", "kill-timeout", "listen-backlog",
            "check-local", "mode", "docroot", "broken-scriptfilename", "fix-root-scriptname", "strip-request-uri",
            "x-sendfile", "allow-x-send-file", "x-sendfile-docroot", "connect-timeout", "read-timeout",
            "write-timeout", "disable-time", "tcp-fin-propagate", "upgrade", "restart-mode", "keep-alive",
            "max-connections"));

    private final Map<String, BackendConfig> spawnedByAddress = new HashMap<>();
    private final List<ConfigWarning> warnings;

    public BackendMapper(List<ConfigWarning> warnings) {
        this.warnings = warnings;
    }

    /** The routes of one {@code fastcgi.server}/{@code scgi.server} value, in key order. */
    public List<Route> routes(String directive, Value value, Protocol protocol) throws ConfigException {
        if (!(value instanceof ArrayValue keys)) {
            throw new ConfigException(value.location(), directive + " must be a hash ( \"<key>\" => ( … ) ), got "
                    + value.describe());
        }
        List<Route> routes = new ArrayList<>();
        for (Entry entry : keys.entries()) {
            if (entry.key() == null) {
                throw new ConfigException(entry.location(), directive + " entries need a key, expected"
                        + " ( \".php\" => ( … ) ), got " + entry.value().describe());
            }
            if (!(entry.keyValue() instanceof StringValue)) {
                throw new ConfigException(entry.location(), directive + " key must be a string, got "
                        + entry.keyValue().describe());
            }
            routes.add(route(directive, entry, protocol));
        }
        return routes;
    }

    private Route route(String directive, Entry entry, Protocol protocol) throws ConfigException {
        String key = entry.key();
        String context = directive + " " + Token.quote(key);
        if (!(entry.value() instanceof ArrayValue hosts)) {
            throw new ConfigException(entry.value().location(), context + " must list its hosts in parentheses,"
                    + " expected ( ( \"socket\" => … ) ), got " + entry.value().describe());
        }
        if (hosts.entries().isEmpty()) {
            throw new ConfigException(hosts.location(), context + " has no hosts, expected ( ( \"socket\" => … ) )");
        }
        List<BackendConfig> backends = new ArrayList<>();
        for (int index = 0; index < hosts.entries().size(); index++) {
            Entry host = hosts.entries().get(index);
            String label = host.key() != null ? host.key() : key + index;
            if (!(host.value() instanceof ArrayValue options)) {
                if (host.key() != null && OPTIONS.contains(host.key())) {
                    throw new ConfigException(host.location(), context + ": option \"" + host.key()
                            + "\" must be inside a host's own parentheses, expected ( \"" + key + "\" => ( ( \""
                            + host.key() + "\" => … ) ) )");
                }
                throw new ConfigException(host.value().location(), context + " host " + Token.quote(label)
                        + " must be a hash of options, got " + host.value().describe());
            }
            BackendConfig backend = backend(context + " host " + Token.quote(label), label, protocol, options);
            backends.add(shared(backend, context + " host " + Token.quote(label)));
        }
        return Route.of(key, protocol, Balance.LEAST_CONNECTION, backends, entry.location());
    }

    private BackendConfig backend(String what, String label, Protocol protocol, ArrayValue options)
            throws ConfigException {
        BackendConfig.Builder builder = BackendConfig.builder().label(label).protocol(protocol)
                .location(options.location());
        Map<String, SourceLocation> locations = new HashMap<>();
        for (Entry option : options.entries()) {
            String name = option.key();
            if (name == null) {
                throw new ConfigException(option.location(), what + ": options need names, expected"
                        + " ( \"socket\" => \"/run/app.sock\" ), got " + option.value().describe());
            }
            if (name.indexOf('_') >= 0) {
                throw new ConfigException(option.location(), what + ": option \"" + name + "\" contains '_',"
                        + " expected '-' as lighttpd option names use (\"" + name.replace('_', '-') + "\")");
            }
            if (!OPTIONS.contains(name)) {
                throw new ConfigException(option.location(), what + ": unknown option \"" + name
                        + "\", expected one of " + String.join(", ", OPTIONS));
            }
            locations.put(name, option.value().location());
            builder.optionLocation(name, option.value().location());
            try {
                apply(builder, name, option.value(), what + ": " + name);
            } catch (OptionException e) {
                throw new ConfigException(option.value().location(), what + ": " + e.getMessage());
            }
        }
        if (locations.containsKey("socket") && (locations.containsKey("host") || locations.containsKey("port"))) {
            throw new ConfigException(locations.get("socket"), what + ": socket cannot be combined with host or port"
                    + " (a backend is either a unix socket or a TCP address)");
        }
        try {
            return builder.build();
        } catch (OptionException e) {
            SourceLocation at = e.option() == null ? options.location()
                    : locations.getOrDefault(e.option(), options.location());
            throw new ConfigException(at, what + ": " + e.getMessage());
        }
    }

    private void apply(BackendConfig.Builder b, String name, Value value, String what) throws ConfigException {
        switch (name) {
            case "host" -> b.host(ValueReader.string(value, what));
            case "port" -> b.port(ValueReader.integer(value, what));
            case "socket" -> b.socket(ValueReader.path(value, what));
            case "bin-path" -> b.binPath(ValueReader.string(value, what));
            case "bin-environment" -> b.binEnvironment(ValueReader.stringMap(value, what));
            case "bin-copy-environment" -> b.binCopyEnvironment(ValueReader.strings(value, what));
            case "max-procs" -> b.maxProcs(ValueReader.integer(value, what));
            case "min-procs" -> b.minProcs(ValueReader.integer(value, what));
            case "max-load-per-proc" -> b.maxLoadPerProc(ValueReader.integer(value, what));
            case "listen-backlog" -> b.listenBacklog(ValueReader.integer(value, what));
            case "idle-timeout" -> b.idleTimeout(seconds(value, what));
            case "kill-timeout" -> b.killTimeout(seconds(value, what));
            case "connect-timeout" -> b.connectTimeout(seconds(value, what));
            case "read-timeout" -> b.readTimeout(seconds(value, what));
            case "write-timeout" -> b.writeTimeout(seconds(value, what));
            case "disable-time" -> b.disableTime(seconds(value, what));
            case "kill-signal" -> b.killSignal(Signals.parse(value, what));
            case "check-local" -> b.checkLocal(ValueReader.bool(value, what));
            case "fix-root-scriptname" -> b.fixRootScriptname(ValueReader.bool(value, what));
            case "broken-scriptfilename" -> b.brokenScriptfilename(ValueReader.bool(value, what));
            case "x-sendfile", "allow-x-send-file" -> b.xSendfile(ValueReader.bool(value, what));
            case "keep-alive" -> b.keepAlive(ValueReader.bool(value, what));
            case "max-connections" -> b.maxConnections(ValueReader.count(value, what));
            case "tcp-fin-propagate" -> b.tcpFinPropagate(ValueReader.bool(value, what));
            case "upgrade" -> b.upgrade(ValueReader.bool(value, what));
            case "docroot" -> b.docroot(ValueReader.path(value, what));
            case "strip-request-uri" -> b.stripRequestUri(ValueReader.string(value, what));
            case "x-sendfile-docroot" -> {
                List<Path> roots = new ArrayList<>();
                for (String root : ValueReader.strings(value, what)) {
                    roots.add(Path.of(root));
                }
                b.xSendfileDocroot(roots);
            }
            case "mode" -> {
                String mode = ValueReader.string(value, what);
                if (!mode.equals("responder") && !mode.equals("authorizer")) {
                    warnings.add(new ConfigWarning(value.location(), what + " " + value.describe()
                            + " is unknown, using \"responder\""));
                    mode = "responder";
                }
                b.mode(mode);
            }
            case "restart-mode" -> b.restartMode(ValueReader.string(value, what));
            default -> throw new IllegalStateException("option without a reader: " + name);
        }
    }

    private static Duration seconds(Value value, String what) throws ConfigException {
        return Duration.ofSeconds(ValueReader.integer(value, what));
    }

    /** The backend to use for {@code backend}: an earlier spawned one on the same address and bin-path, or itself. */
    private BackendConfig shared(BackendConfig backend, String what) throws ConfigException {
        if (!backend.isSpawned()) {
            return backend;
        }
        String address = backend.socket().map(Path::toString)
                .orElseGet(() -> backend.host().orElse("") + ":" + backend.port());
        BackendConfig earlier = spawnedByAddress.putIfAbsent(address, backend);
        if (earlier == null) {
            return backend;
        }
        String kind = backend.isUnix() ? "socket" : "port";
        if (earlier.protocol() != backend.protocol()) {
            throw new ConfigException(backend.optionLocation(kind), what + ": duplicate " + kind + " " + address
                    + " (also spawned for " + earlier.protocol() + " at " + earlier.location() + "), expected a distinct "
                    + kind + " for each protocol");
        }
        if (earlier.binPath().equals(backend.binPath())) {
            return earlier;
        }
        throw new ConfigException(backend.optionLocation(kind), what + ": duplicate " + kind + " " + address
                + " (also spawned with bin-path \"" + String.join(" ", earlier.binPath().get()) + "\" at "
                + earlier.location() + "), expected a distinct " + kind + " for each bin-path");
    }
}
