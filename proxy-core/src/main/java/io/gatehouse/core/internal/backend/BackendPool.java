package io.gatehouse.core.internal.backend;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatehouse.conf.Balance;
import io.gatehouse.conf.Route;

/**
 * The hosts of one route key and how a request picks one of them ({@code *.balance}).
 *
 * <p>Thread-safe.
 */
public final class BackendPool {

    private final Route route;
    private final List<BackendHost> hosts;
    private final AtomicInteger nextRoundRobin = new AtomicInteger();

    public BackendPool(Route route, List<BackendHost> hosts) {
        this.route = route;
        this.hosts = List.copyOf(hosts);
    }

    public Route route() {
        return route;
    }

    public List<BackendHost> hosts() {
        return hosts;
    }

    /** How often a request waiting for a respawned child looks again. */
    private static final long RESPAWN_POLL_MILLIS = 10;

    /**
     * Picks a host, waiting up to {@code timeout} when every host is out of rotation but some are
     * spawned children (crashed and being respawned, or refusing until their replacement runs):
     * lighttpd answers 503 then, we hold the request for the respawn. Null when nothing came back
     * in time, at once when no host is a spawned child.
     */
    BackendHost pickOrAwaitRespawn(String hashKey, Duration timeout) {
        BackendHost host = pick(hashKey);
        if (host != null || hosts.stream().noneMatch(h -> h.procs() != null)) {
            return host;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (host == null && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(RESPAWN_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            host = pick(hashKey);
        }
        return host;
    }

    /**
     * Picks an available host, or null when every host is out of rotation.
     *
     * @param hashKey what {@code hash}/{@code sticky} balancing hashes (URL or client address)
     */
    public BackendHost pick(String hashKey) {
        long now = System.nanoTime();
        int size = hosts.size();
        if (size == 1) {
            BackendHost only = hosts.get(0);
            return only.isAvailable(now) ? only : null;
        }
        Balance balance = route.balance();
        if (balance == Balance.ROUND_ROBIN || balance == Balance.HASH || balance == Balance.STICKY) {
            int start = balance == Balance.ROUND_ROBIN
                    ? Math.floorMod(nextRoundRobin.getAndIncrement(), size)
                    : Math.floorMod(hashKey.hashCode(), size);
            for (int i = 0; i < size; i++) {
                BackendHost host = hosts.get((start + i) % size);
                if (host.isAvailable(now)) {
                    return host;
                }
            }
            return null;
        }
        // least-connection: the first available host with the lowest load, as lighttpd picks.
        BackendHost best = null;
        for (BackendHost host : hosts) {
            if (host.isAvailable(now) && (best == null || host.load() < best.load())) {
                best = host;
            }
        }
        return best;
    }
}
