package io.gatehouse.core.internal.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.ConditionalScope;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.Scope;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.gateway.BackendHost;
import io.gatehouse.core.internal.gateway.BackendPool;
import io.gatehouse.spawn.SpawnedBackend;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;

/**
 * Everything that belongs to one loaded config: its routes with their backend pools and the
 * static-file handlers of its document roots. A restart replaces the generation as a whole.
 *
 * <p>Thread-safe once built.
 */
public final class Generation {

    /** Bytes below which Undertow sends a static file with a copy rather than sendfile. */
    private static final long STATIC_TRANSFER_MIN_SIZE = 1024;

    private final ServerConfig config;
    private final Map<Route, BackendPool> pools;
    private final List<BackendHost> hosts;
    private final Map<Path, HttpHandler> staticHandlers = new ConcurrentHashMap<>();

    private Generation(ServerConfig config, Map<Route, BackendPool> pools, List<BackendHost> hosts) {
        this.config = config;
        this.pools = pools;
        this.hosts = hosts;
    }

    /**
     * Builds the pools for every route of every scope. Hosts are shared between routes by
     * backend config, so a backend named in several conditions counts its load once.
     *
     * @param processes the children of the config's bin-path backends
     */
    public static Generation of(ServerConfig config, BackendProcesses processes) {
        Map<BackendConfig, List<BackendHost>> hostsByConfig = new HashMap<>();
        Map<Route, BackendPool> pools = new IdentityHashMap<>();
        List<Scope> scopes = new ArrayList<>();
        scopes.add(config.global());
        for (ConditionalScope conditional : config.conditionals()) {
            scopes.add(conditional.scope());
        }
        for (Scope scope : scopes) {
            for (Route route : scope.routes()) {
                List<BackendHost> routeHosts = new ArrayList<>();
                for (BackendConfig backend : route.backends()) {
                    routeHosts.addAll(hostsByConfig.computeIfAbsent(backend, b -> hostsOf(b, processes)));
                }
                pools.put(route, new BackendPool(route, routeHosts));
            }
        }
        List<BackendHost> hosts = new ArrayList<>();
        hostsByConfig.values().forEach(hosts::addAll);
        return new Generation(config, pools, List.copyOf(hosts));
    }

    /** One host for an external backend, one per child for a bin-path backend. */
    private static List<BackendHost> hostsOf(BackendConfig backend, BackendProcesses processes) {
        SpawnedBackend procs = processes.of(backend);
        if (procs == null) {
            return List.of(new BackendHost(backend, BackendHost.addressOf(backend)));
        }
        List<BackendHost> hosts = new ArrayList<>();
        for (int proc = 0; proc < procs.addresses().size(); proc++) {
            hosts.add(new BackendHost(backend, procs, proc));
        }
        return hosts;
    }

    public ServerConfig config() {
        return config;
    }

    public BackendPool pool(Route route) {
        return pools.get(route);
    }

    public List<BackendHost> hosts() {
        return hosts;
    }

    /** The static-file handler for {@code documentRoot}; 404 for what does not exist. */
    public HttpHandler staticFiles(Path documentRoot, List<String> indexFiles) {
        return staticHandlers.computeIfAbsent(documentRoot, root -> new ResourceHandler(
                PathResourceManager.builder().setBase(root)
                        // lighttpd's server.follow-symlink defaults to enable: links may point anywhere.
                        .setFollowLinks(true).setSafePaths(new String[] {"/"})
                        .setTransferMinSize(STATIC_TRANSFER_MIN_SIZE).build(),
                ResponseCodeHandler.HANDLE_404)
                .setDirectoryListingEnabled(false)
                .setWelcomeFiles(indexFiles.toArray(new String[0])));
    }
}
