package io.gatehouse.core.internal.gateway;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatehouse.conf.Balance;
import io.gatehouse.conf.Route;
import io.gatehouse.spawn.SpawnedBackend;

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

    /**
     * Waits up to {@code timeout} for a spawned child of this key to come back (all were down,
     * e.g. respawning after a crash); false at once when no host is a spawned child.
     */
    boolean awaitRespawn(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (BackendHost host : hosts) {
            SpawnedBackend procs = host.procs();
            long left = deadline - System.nanoTime();
            if (procs == null || left <= 0) {
                continue;
            }
            try {
                if (procs.awaitAnyAvailable(Duration.ofNanos(left))) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Picks an available host, or null when every host is out of rotation.
     *
     * @param hashKey what {@code hash}/{@code sticky} balancing hashes (URL or client address)
     */
    BackendHost pick(String hashKey) {
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
