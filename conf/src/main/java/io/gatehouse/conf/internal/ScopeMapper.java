package io.gatehouse.conf.internal;

import io.gatehouse.conf.Balance;
import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.Protocol;
import io.gatehouse.conf.Scope;
import io.gatehouse.conf.StaticFileOptions;

/**
 * Reads the per-condition directives of one block into a {@link Scope} that falls back to the
 * scope of the enclosing block.
 *
 * <p>Not thread-safe; one instance per parse.
 */
public final class ScopeMapper {

    private final BackendMapper backends;
    private final boolean scgiFirst;

    /**
     * @param scgiFirst whether {@code server.modules} lists mod_scgi before mod_fastcgi
     */
    public ScopeMapper(BackendMapper backends, boolean scgiFirst) {
        this.backends = backends;
        this.scgiFirst = scgiFirst;
    }

    /** The scope of {@code block}; {@code enclosing} is null for the top level. */
    public Scope map(Block block, Scope enclosing) throws ConfigException {
        Scope.Builder scope = Scope.builder().inheritFrom(enclosing).scgiFirst(scgiFirst);
        StaticFileOptions.Builder staticFiles = StaticFileOptions.builder();
        for (Binding binding : block.bindings().values()) {
            String key = binding.key();
            Value value = binding.value();
            if (!Directives.PER_SCOPE.contains(key)) {
                continue;
            }
            scope.location(key, binding.keyLocation());
            if (StaticFileReader.DIRECTIVES.contains(key)) {
                StaticFileReader.read(key, value, staticFiles);
                continue;
            }
            switch (key) {
                case "server.document-root" -> scope.documentRoot(ValueReader.path(value, key));
                case "index-file.names" -> scope.indexFiles(ValueReader.strings(value, key));
                case "server.indexfiles" -> {
                    // The old name; index-file.names wins when a block sets both.
                    if (block.own("index-file.names") == null) {
                        scope.indexFiles(ValueReader.strings(value, key));
                    }
                }
                case "fastcgi.server" -> scope.routes(Protocol.FASTCGI, backends.routes(key, value, Protocol.FASTCGI));
                case "scgi.server" -> scope.routes(Protocol.SCGI, backends.routes(key, value, scgiProtocol(block)));
                case "scgi.protocol" -> scgiProtocol(block);
                case "fastcgi.balance" -> scope.balance(Protocol.FASTCGI, balance(value, key));
                case "scgi.balance" -> scope.balance(Protocol.SCGI, balance(value, key));
                case "fastcgi.debug" -> scope.debugLevel(Protocol.FASTCGI, ValueReader.count(value, key));
                case "scgi.debug" -> scope.debugLevel(Protocol.SCGI, ValueReader.count(value, key));
                case "fastcgi.map-extensions" -> scope.mapExtensions(Protocol.FASTCGI, ValueReader.stringMap(value, key));
                case "scgi.map-extensions" -> scope.mapExtensions(Protocol.SCGI, ValueReader.stringMap(value, key));
                default -> throw new IllegalStateException("per-scope directive without a reader: " + key);
            }
        }
        return scope.staticFiles(staticFiles.build()).build();
    }

    /** {@code scgi.protocol} in force for {@code block} (its own or an enclosing block's). */
    private static Protocol scgiProtocol(Block block) throws ConfigException {
        Binding binding = block.lookup("scgi.protocol");
        if (binding == null) {
            return Protocol.SCGI;
        }
        String name = ValueReader.string(binding.value(), "scgi.protocol");
        return switch (name) {
            case "scgi" -> Protocol.SCGI;
            case "uwsgi" -> Protocol.UWSGI;
            default -> throw new ConfigException(binding.value().location(), "scgi.protocol must be \"scgi\" or"
                    + " \"uwsgi\", got " + binding.value().describe());
        };
    }

    private static Balance balance(Value value, String key) throws ConfigException {
        String name = ValueReader.string(value, key);
        return Balance.fromConfigName(name).orElseThrow(() -> new ConfigException(value.location(), key
                + " must be one of least-connection, fair, round-robin, hash, sticky, got " + value.describe()));
    }
}
