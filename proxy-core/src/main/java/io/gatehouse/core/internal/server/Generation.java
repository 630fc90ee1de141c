package io.gatehouse.core.internal.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.ConditionalScope;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.Scope;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.backend.BackendHost;
import io.gatehouse.core.internal.backend.BackendPool;
import io.gatehouse.core.internal.gateway.ErrorDocuments;
import io.gatehouse.core.internal.gateway.GatewayHandler;
import io.gatehouse.core.internal.route.ResolvedPaths;
import io.gatehouse.core.internal.staticfile.DefaultMimeTypes;
import io.gatehouse.core.internal.staticfile.MimeTypeTables;
import io.gatehouse.core.internal.staticfile.StaticFileHandler;
import io.gatehouse.spawn.SpawnedBackend;
import io.undertow.util.AttachmentKey;

/**
 * Everything that belongs to one loaded config: its number, its bin-path children, its routes
 * with their backend pools, the gateway configured by it, the static-file handlers of its
 * document roots, its error files, the files its routes found on disk and the requests it has in
 * flight. A restart
 * replaces the generation as a whole.
 *
 * <p>Thread-safe once built.
 */
public final class Generation {

    /** The generation a request was admitted into, for the handler that serves it. */
    public static final AttachmentKey<Generation> KEY = AttachmentKey.create(Generation.class);

    private final long number;
    private final ServerConfig config;
    private final BackendProcesses processes;
    private final GatewayHandler gateway;
    private final Map<Route, BackendPool> pools;
    private final List<BackendHost> hosts;
    private final MimeTypeTables mimeTypes = new MimeTypeTables(
            () -> DefaultMimeTypes.load(DefaultMimeTypes.SYSTEM_TABLE));
    private final StaticFileHandler staticFiles = new StaticFileHandler(mimeTypes);
    private final InFlightRequests inFlight = new InFlightRequests();
    private final ResolvedPaths resolvedPaths = ResolvedPaths.perSecond();
    private final ErrorDocuments errorDocuments;

    private Generation(long number, ServerConfig config, BackendProcesses processes, GatewayHandler gateway,
            Map<Route, BackendPool> pools, List<BackendHost> hosts) {
        this.errorDocuments = ErrorDocuments.load(config, warning -> gateway.errorLog().warn("server", warning));
        if (errorDocuments != ErrorDocuments.none()) {
            // Error pages are typed on the I/O thread: the default table must be in memory by then.
            mimeTypes.of(config.global().staticFiles());
        }
        this.number = number;
        this.config = config;
        this.processes = processes;
        this.gateway = gateway;
        this.pools = pools;
        this.hosts = hosts;
    }

    /**
     * Builds the pools for every route of every scope. Hosts are shared between routes by
     * backend config, so a backend named in several conditions counts its load once.
     *
     * @param number    1 for the first generation, one more for each restart that installed one
     * @param processes the children of the config's bin-path backends
     * @param gateway   the gateway configured by {@code config}
     */
    public static Generation of(long number, ServerConfig config, BackendProcesses processes,
            GatewayHandler gateway) {
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
        return new Generation(number, config, processes, gateway, pools, List.copyOf(hosts));
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

    public long number() {
        return number;
    }

    public ServerConfig config() {
        return config;
    }

    public BackendProcesses processes() {
        return processes;
    }

    public GatewayHandler gateway() {
        return gateway;
    }

    public InFlightRequests inFlight() {
        return inFlight;
    }

    public BackendPool pool(Route route) {
        return pools.get(route);
    }

    public List<BackendHost> hosts() {
        return hosts;
    }

    /**
     * Closes the backend connections kept idle for reuse ({@code keep-alive}); called when the
     * generation stops, so none outlives it. Connections its remaining requests finish later are
     * closed instead of kept.
     */
    public void closeIdleConnections() {
        hosts.forEach(BackendHost::closeIdleConnections);
    }

    /** The static-file handler of this generation (its default MIME table read on first use). */
    public StaticFileHandler staticFiles() {
        return staticFiles;
    }

    /** Where this generation's routes keep the files they found on disk (check-local). */
    public ResolvedPaths resolvedPaths() {
        return resolvedPaths;
    }

    /** The error files of this generation's config, read when it was built. */
    public ErrorDocuments errorDocuments() {
        return errorDocuments;
    }

    /** The MIME tables of this generation's config. */
    public MimeTypeTables mimeTypes() {
        return mimeTypes;
    }
}
