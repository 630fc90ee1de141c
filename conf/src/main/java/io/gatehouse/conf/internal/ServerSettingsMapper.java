package io.gatehouse.conf.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigWarning;
import io.gatehouse.conf.ConnectionLimits;
import io.gatehouse.conf.HttpParseOptions;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.conf.internal.Value.ArrayValue;
import io.gatehouse.conf.internal.Value.Entry;

/**
 * Reads the server-wide directives of the top-level block: logs, pid file, modules, feature flags,
 * limits. Listeners are {@link ConfigMapper}'s.
 *
 * <p>Stateless; thread-safe.
 */
public final class ServerSettingsMapper {

    /** The feature flag (and top-level key) for the drain limit of restarts and graceful stops. */
    public static final String GRACEFUL_TIMEOUT = "server.graceful-shutdown-timeout";

    /** The feature flag that turns HTTP/2 over TLS off. */
    public static final String H2PROTO = "server.h2proto";

    /** The feature flag that turns HTTP/2 over plain TCP on. */
    public static final String H2C = "server.h2c";

    /** The feature flag that re-reads HTTPS certificates when their files change. */
    public static final String REFRESH_CERTS = "ssl.refresh-certs";

    private ServerSettingsMapper() {
    }

    /** Applies every server-wide directive the top level sets. */
    public static void apply(Block root, ServerConfig.Builder config, List<ConfigWarning> warnings)
            throws ConfigException {
        ConnectionLimits d = ConnectionLimits.DEFAULTS;
        int keepAliveRequests = d.maxKeepAliveRequests();
        Duration keepAliveIdle = d.maxKeepAliveIdle();
        Duration readIdle = d.maxReadIdle();
        Duration writeIdle = d.maxWriteIdle();
        int maxConnections = d.maxConnections();
        int backlog = d.listenBacklog();
        int maxFds = d.maxFds();
        HttpParseOptions parseOptions = HttpParseOptions.DEFAULTS;
        Integer topLevelGraceful = null;
        Integer flagGraceful = null;
        Value gracefulFlag = null;
        for (Binding binding : root.bindings().values()) {
            String key = binding.key();
            Value value = binding.value();
            if (!Directives.SERVER_WIDE.contains(key)) {
                continue;
            }
            config.location(key, binding.keyLocation());
            switch (key) {
                case "server.bind", "server.port" -> {
                    // Listeners are built by ConfigMapper.
                }
                case "server.pid-file" -> config.pidFile(ValueReader.path(value, key));
                case "server.errorlog" -> config.errorLog(logPath(value, key, warnings));
                case "server.breakagelog" -> config.breakageLog(logPath(value, key, warnings));
                case "accesslog.filename" -> config.accessLog(logPath(value, key, warnings));
                case "accesslog.format" -> config.accessLogFormat(ValueReader.string(value, key));
                case "server.tag" -> config.serverTag(ValueReader.string(value, key));
                case "status.statistics-url" -> config.statusUrl(ValueReader.string(value, key));
                case "server.systemd-socket-activation" -> config.systemdSocketActivation(ValueReader.bool(value, key));
                case "server.modules" -> config.modules(modules(value, warnings));
                case "server.max-request-size" -> config.maxRequestSizeBytes(ValueReader.count(value, key) * 1024L);
                case "server.feature-flags" -> {
                    ArrayValue flags = ValueReader.array(value, key);
                    config.featureFlags(ValueReader.stringMap(flags, key));
                    for (Entry flag : flags.entries()) {
                        if (H2PROTO.equals(flag.key())) {
                            config.http2(ValueReader.bool(flag.value(), key + " " + Token.quote(H2PROTO)));
                        } else if (H2C.equals(flag.key())) {
                            config.h2c(ValueReader.bool(flag.value(), key + " " + Token.quote(H2C)));
                        } else if (REFRESH_CERTS.equals(flag.key())) {
                            config.refreshCertificates(ValueReader.bool(flag.value(),
                                    key + " " + Token.quote(REFRESH_CERTS)));
                        }
                    }
                    Entry graceful = flags.get(GRACEFUL_TIMEOUT).orElse(null);
                    if (graceful != null) {
                        flagGraceful = ValueReader.count(graceful.value(), key + " " + Token.quote(GRACEFUL_TIMEOUT));
                        gracefulFlag = graceful.value();
                    }
                }
                case GRACEFUL_TIMEOUT -> topLevelGraceful = ValueReader.count(value, key);
                case "server.max-keep-alive-requests" -> keepAliveRequests = ValueReader.count(value, key);
                case "server.max-keep-alive-idle" -> keepAliveIdle = Duration.ofSeconds(ValueReader.count(value, key));
                case "server.max-read-idle" -> readIdle = Duration.ofSeconds(ValueReader.count(value, key));
                case "server.max-write-idle" -> writeIdle = Duration.ofSeconds(ValueReader.count(value, key));
                case "server.max-connections" -> maxConnections = positive(value, key);
                case "server.listen-backlog" -> backlog = positive(value, key);
                case "server.max-fds" -> maxFds = maxFds(value, key);
                case "server.http-parseopts" -> parseOptions = HttpParseOptionsReader.read(parseOptions, value, key,
                        warnings);
                case "server.http-parseopt-header-strict", "server.http-parseopt-host-strict",
                        "server.http-parseopt-host-normalize" -> parseOptions = HttpParseOptionsReader.readOne(parseOptions,
                                key.substring("server.http-parseopt-".length()), value, key, warnings);
                case "server.upload-dirs" -> config.uploadDirs(ValueReader.strings(value, key).stream()
                        .map(Path::of).toList());
                case "server.max-request-field-size" -> config.maxRequestFieldSize(requestFieldSize(value, key, warnings));
                default -> throw new IllegalStateException("server directive without a reader: " + key);
            }
        }
        if (flagGraceful != null && topLevelGraceful != null && !flagGraceful.equals(topLevelGraceful)) {
            warnings.add(new ConfigWarning(gracefulFlag.location(), GRACEFUL_TIMEOUT + " is set both as a"
                    + " feature flag (" + flagGraceful + ") and at the top level (" + topLevelGraceful
                    + "); using the feature flag"));
        }
        Integer graceful = flagGraceful != null ? flagGraceful : topLevelGraceful;
        if (graceful != null) {
            config.gracefulShutdownTimeout(Duration.ofSeconds(graceful));
        }
        config.httpParseOptions(parseOptions);
        config.connectionLimits(new ConnectionLimits(keepAliveRequests, keepAliveIdle, readIdle, writeIdle,
                maxConnections, backlog, maxFds));
    }

    /** 0 (the limit in effect) or a descriptor count a JVM can live with, within lighttpd's 16 bits. */
    private static int maxFds(Value value, String key) throws ConfigException {
        int count = ValueReader.count(value, key);
        if (count != 0 && (count < ConnectionLimits.MIN_MAX_FDS || count > ConnectionLimits.MAX_MAX_FDS)) {
            throw new ConfigException(value.location(), key + " must be 0 (the open-file limit in effect) or "
                    + ConnectionLimits.MIN_MAX_FDS + ".." + ConnectionLimits.MAX_MAX_FDS
                    + " (the JVM itself holds about 100 descriptors), got " + count);
        }
        return count;
    }

    /** A head limit outside lighttpd's range is brought into it, with a warning, as lighttpd does. */
    private static int requestFieldSize(Value value, String key, List<ConfigWarning> warnings) throws ConfigException {
        int bytes = ValueReader.count(value, key);
        int bounded = Math.max(ServerConfig.MIN_REQUEST_FIELD_SIZE, Math.min(ServerConfig.MAX_REQUEST_FIELD_SIZE, bytes));
        if (bounded != bytes) {
            warnings.add(new ConfigWarning(value.location(), key + " " + bytes + " is outside "
                    + ServerConfig.MIN_REQUEST_FIELD_SIZE + ".." + ServerConfig.MAX_REQUEST_FIELD_SIZE + "; using " + bounded));
        }
        return bounded;
    }

    private static List<String> modules(Value value, List<ConfigWarning> warnings) throws ConfigException {
        List<String> names = new ArrayList<>();
        if (value instanceof Value.StringValue) {
            names.addAll(ValueReader.strings(value, "server.modules"));
            warnIfUnimplemented(names.get(0), value, warnings);
            return names;
        }
        for (Entry entry : ValueReader.array(value, "server.modules").entries()) {
            String name = ValueReader.string(entry.value(), "server.modules entry");
            names.add(name);
            warnIfUnimplemented(name, entry.value(), warnings);
        }
        return names;
    }

    private static void warnIfUnimplemented(String name, Value at, List<ConfigWarning> warnings) {
        if (!Directives.IMPLEMENTED_MODULES.contains(name)) {
            warnings.add(new ConfigWarning(at.location(), "module '" + name
                    + "' is not implemented by gatehouse (ignored)"));
        }
    }

    /** A log file path; lighttpd's piped loggers ({@code "|command"}) are not supported and fall back to the default. */
    private static Path logPath(Value value, String key, List<ConfigWarning> warnings) throws ConfigException {
        String text = ValueReader.string(value, key);
        if (text.startsWith("|")) {
            warnings.add(new ConfigWarning(value.location(), key + " " + value.describe()
                    + " is a piped logger, which gatehouse does not support (ignored)"));
            return null;
        }
        return ValueReader.path(value, key);
    }

    private static int positive(Value value, String key) throws ConfigException {
        int number = ValueReader.integer(value, key);
        if (number < 1) {
            throw new ConfigException(value.location(), key + " must be at least 1, got " + number);
        }
        return number;
    }
}
