package io.gatehouse.conf.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.gatehouse.conf.ConditionalScope;
import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.ConfigWarning;
import io.gatehouse.conf.Guard;
import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Scope;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.conf.SourceLocation;
import io.gatehouse.conf.TlsSettings;

/**
 * Turns the evaluated block tree into a {@link ServerConfig}: warnings for keys gatehouse ignores,
 * server-wide settings, listeners, the global scope and the flattened conditional scopes with their
 * guards.
 *
 * <p>Stateless; thread-safe (each call works on its own objects).
 */
public final class ConfigMapper {

    private ConfigMapper() {
    }

    /** Maps an evaluated config; {@code source} is the main file, or null for text. */
    public static ServerConfig map(Block root, Path source) throws ConfigException {
        List<ConfigWarning> warnings = new ArrayList<>();
        warnAboutKeys(root, warnings);
        ServerConfig.Builder config = ServerConfig.builder().source(source);
        ServerSettingsMapper.apply(root, config, warnings);
        int port = globalPort(root);
        listeners(root, port, config, warnings);

        List<String> modules = root.own("server.modules") == null ? List.of()
                : ValueReader.strings(root.own("server.modules").value(), "server.modules");
        int fastcgiIndex = modules.indexOf("mod_fastcgi");
        int scgiIndex = modules.indexOf("mod_scgi");
        boolean scgiFirst = scgiIndex >= 0 && (fastcgiIndex < 0 || scgiIndex < fastcgiIndex);
        ScopeMapper scopes = new ScopeMapper(new BackendMapper(warnings), scgiFirst);
        Scope global = scopes.map(root, null);
        config.global(global);
        List<ConditionalScope> conditionals = new ArrayList<>();
        conditionals(root, global, List.of(), scopes, port, conditionals);
        conditionals.forEach(config::conditional);
        warnAboutMissingModules(modules, global, conditionals, root, warnings);
        inReadingOrder(warnings).forEach(config::warning);
        try {
            return config.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(root.location(), e.getMessage());
        }
    }

    /** Sorted by line and column within each file; files keep the order in which they first appear. */
    private static List<ConfigWarning> inReadingOrder(List<ConfigWarning> warnings) {
        List<String> files = warnings.stream().map(w -> w.location().file()).distinct().toList();
        return warnings.stream()
                .distinct() // a top-level ssl.* setting is read again for each listener that inherits it
                .sorted(Comparator.comparingInt((ConfigWarning w) -> files.indexOf(w.location().file()))
                        .thenComparingInt(w -> w.location().line())
                        .thenComparingInt(w -> w.location().column()))
                .toList();
    }

    private static void conditionals(Block block, Scope enclosing, List<Guard> enclosingGuards, ScopeMapper scopes,
            int port, List<ConditionalScope> out) throws ConfigException {
        // Each branch of an else chain is guarded by the negation of every earlier branch: one
        // negation per condition, shared by the later branches, keeps that list of references.
        Map<Condition, Guard> negations = new IdentityHashMap<>();
        for (Block child : block.children()) {
            List<Guard> guards = new ArrayList<>(enclosingGuards);
            for (Condition earlier : child.earlierBranches()) {
                guards.add(negations.computeIfAbsent(earlier, c -> Guards.not(new ConditionGuard(c, port))));
            }
            if (child.condition() != null) {
                guards.add(new ConditionGuard(child.condition(), port));
            }
            Scope scope = scopes.map(child, enclosing);
            out.add(new ConditionalScope(Guards.allOf(guards), scope, child.location()));
            conditionals(child, scope, guards, scopes, port, out);
        }
    }

    private static int globalPort(Block root) throws ConfigException {
        Binding binding = root.own("server.port");
        if (binding == null) {
            return 80;
        }
        int port = ValueReader.integer(binding.value(), "server.port");
        if (port < 1 || port > 65535) {
            throw new ConfigException(binding.value().location(), "server.port must be 1..65535, got " + port);
        }
        return port;
    }

    private static void listeners(Block root, int port, ServerConfig.Builder config, List<ConfigWarning> warnings)
            throws ConfigException {
        Binding bind = root.own("server.bind");
        Binding portBinding = root.own("server.port");
        String host = bind == null ? SocketToken.WILDCARD : ValueReader.string(bind.value(), "server.bind");
        SourceLocation at = bind != null ? bind.value().location()
                : portBinding != null ? portBinding.value().location() : root.location();
        String token;
        if (host.startsWith("/")) {
            token = host;
        } else {
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            token = (bare.indexOf(':') >= 0 ? "[" + bare + "]" : bare) + ":" + port;
        }
        List<ListenerConfig> listeners = new ArrayList<>();
        listeners.add(withTls(listener(token, port, at, "server.bind"), root, port, warnings));
        for (Block child : root.children()) {
            Condition condition = child.condition();
            if (condition != null && condition.opensListener()) {
                ListenerConfig opened = withTls(listener(condition.pattern(), port, condition.location(),
                        "$SERVER[\"socket\"]"), child, port, warnings);
                int same = listeners.indexOf(opened);
                if (same < 0) {
                    listeners.add(opened);
                } else if (opened.tls().isPresent()) {
                    // The block names the global address again: as in lighttpd, its ssl.* settings are that socket's.
                    listeners.set(same, listeners.get(same).withTls(opened.tls().get()));
                }
            }
        }
        listeners.forEach(config::listener);
    }

    /** {@code listener} with the TLS settings {@code block} gives it. */
    private static ListenerConfig withTls(ListenerConfig listener, Block block, int port,
            List<ConfigWarning> warnings) throws ConfigException {
        TlsSettings settings = TlsMapper.read(block, port, warnings);
        try {
            return listener.withTls(settings);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(listener.location(), e.getMessage());
        }
    }

    private static ListenerConfig listener(String token, int port, SourceLocation at, String what)
            throws ConfigException {
        try {
            return ListenerConfig.parse(token, port, at);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at, what + ": " + e.getMessage());
        }
    }

    private static void warnAboutKeys(Block block, List<ConfigWarning> warnings) {
        for (Binding binding : block.bindings().values()) {
            String key = binding.key();
            if (key.startsWith("var.")) {
                continue;
            }
            if (TlsMapper.KEYS.contains(key)) {
                boolean listenerBlock = block.isRoot() || block.condition() != null && block.condition().opensListener();
                boolean hostCertificate = TlsMapper.isHostCertificateBlock(block) && TlsMapper.HOST_KEYS.contains(key);
                if (!listenerBlock && !hostCertificate) {
                    warnings.add(new ConfigWarning(binding.keyLocation(), "'" + key + "' is only read at the top"
                            + " level and in $SERVER[\"socket\"] == blocks; a $HTTP[\"host\"] block there may set"
                            + " ssl.pemfile (with ssl.privkey) for SNI, nothing else (ignored)"));
                }
            } else if (Directives.SERVER_WIDE.contains(key)) {
                if (!block.isRoot()) {
                    warnings.add(new ConfigWarning(binding.keyLocation(), "'" + key + "' is only read at the top"
                            + " level, not inside a condition (ignored)"));
                }
            } else if (!Directives.PER_SCOPE.contains(key)) {
                warnings.add(new ConfigWarning(binding.keyLocation(), Directives.ignoredKeyWarning(key)));
            }
        }
        for (Block child : block.children()) {
            warnAboutKeys(child, warnings);
        }
    }

    private static void warnAboutMissingModules(List<String> modules, Scope global,
            List<ConditionalScope> conditionals, Block root, List<ConfigWarning> warnings) {
        if (root.own("server.modules") == null) {
            return;
        }
        for (Protocol protocol : List.of(Protocol.FASTCGI, Protocol.SCGI)) {
            String module = "mod_" + protocol.directivePrefix();
            String directive = protocol.directivePrefix() + ".server";
            if (modules.contains(module)) {
                continue;
            }
            Stream.concat(Stream.of(global), conditionals.stream().map(ConditionalScope::scope))
                    .filter(scope -> scope.directives().contains(directive))
                    .findFirst()
                    .flatMap(scope -> scope.locationOf(directive))
                    .ifPresent(at -> warnings.add(new ConfigWarning(at, directive + " is set but server.modules"
                            + " does not list " + module + " (lighttpd would ignore it; gatehouse uses it)")));
        }
    }
}
