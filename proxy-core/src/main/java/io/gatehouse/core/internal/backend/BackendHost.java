package io.gatehouse.core.internal.backend;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.spawn.ProcStatus;
import io.gatehouse.spawn.SpawnedBackend;

/**
 * One backend address a request can be sent to, with its load (requests in flight), whether
 * it is temporarily out of rotation after a connect failure ({@code disable-time}), and its idle
 * kept FastCGI connections ({@code keep-alive}).
 *
 * <p>Thread-safe.
 */
public final class BackendHost {

    private final BackendConfig config;
    private final SocketAddress address;
    private final SpawnedBackend procs;
    private final int proc;
    private final String description;
    private final AtomicInteger load = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    /** The kept connections of a FastCGI host with {@code keep-alive}, else null. */
    private final KeptConnections kept;
    private final AtomicInteger newConnectionsInUse = new AtomicInteger();
    private volatile long disabledUntil;
    private volatile boolean disabled;
    /** For a spawned child: the pid that failed; its replacement is in rotation at once. */
    private volatile long disabledPid;

    /** An external backend: something else started it. */
    public BackendHost(BackendConfig config, SocketAddress address) {
        this(config, address, null, -1);
    }

    /** Proc {@code proc} of a bin-path backend: in rotation only while its child is up. */
    public BackendHost(BackendConfig config, SpawnedBackend procs, int proc) {
        this(config, procs.addresses().get(proc), procs, proc);
    }

    private BackendHost(BackendConfig config, SocketAddress address, SpawnedBackend procs, int proc) {
        this.config = config;
        this.address = address;
        this.procs = procs;
        this.proc = proc;
        this.description = config.label() + (procs == null ? " " : " proc " + proc + " ") + describe(address);
        this.kept = config.keepAlive() && config.protocol() == Protocol.FASTCGI
                ? new KeptConnections(this, config.maxConnections(), KeptConnections.IDLE_TIMEOUT) : null;
    }

    /** The address lighttpd would use for an external (not spawned) backend of this config. */
    public static SocketAddress addressOf(BackendConfig config) {
        if (config.socket().isPresent()) {
            return UnixDomainSocketAddress.of(config.socket().get());
        }
        // Resolved once, as lighttpd does: a backend's name does not move while we run.
        return new InetSocketAddress(config.host().orElse("127.0.0.1"), config.port());
    }

    private static String describe(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress unix) {
            return "unix:" + unix.getPath();
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        return inet.getHostString() + ":" + inet.getPort();
    }

    /**
     * A new socket for this host, not yet connected and blocking: a unix-domain one for a socket
     * path, else TCP of the address's family with TCP_NODELAY (a request head must not wait).
     */
    SocketChannel openChannel() throws IOException {
        if (address instanceof UnixDomainSocketAddress) {
            return SocketChannel.open(StandardProtocolFamily.UNIX);
        }
        boolean v6 = ((InetSocketAddress) address).getAddress() instanceof Inet6Address;
        SocketChannel channel = SocketChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    public BackendConfig config() {
        return config;
    }

    public SocketAddress address() {
        return address;
    }

    public String describe() {
        return description;
    }

    public int load() {
        return load.get();
    }

    public long requests() {
        return requests.get();
    }

    boolean isAvailable(long now) {
        if (disabled && (now - disabledUntil >= 0 || (procs != null && currentPid() != disabledPid))) {
            disabled = false;
        }
        return !disabled && (procs == null || procs.isAvailable(proc));
    }

    /** The state of this host's child, or null for an external backend. */
    public ProcStatus procStatus() {
        return procs == null ? null : procs.status().get(proc);
    }

    /** True for a spawned child (bin-path), false for an external backend. */
    public boolean isSpawned() {
        return procs != null;
    }

    /**
     * True for a spawned child whose backend may still respawn it: not once the backend was
     * stopped (its generation was replaced, or failed its start-up check and was rolled back).
     */
    public boolean mayRespawn() {
        return procs != null && procs.status().get(proc).state() != ProcStatus.State.STOPPED;
    }

    /** True when the host keeps FastCGI connections between requests ({@code keep-alive}). */
    public boolean keepsConnections() {
        return kept != null;
    }

    /** The children this host is one of, or null for an external backend. */
    SpawnedBackend procs() {
        return procs;
    }

    /** Takes the host out of rotation for {@code time} (lighttpd's {@code disable-time}). */
    public void disable(Duration time) {
        if (procs != null) {
            disabledPid = currentPid();
        }
        disabledUntil = System.nanoTime() + time.toNanos();
        disabled = true;
    }

    private long currentPid() {
        return procs.pid(proc);
    }

    boolean isDisabled() {
        return disabled;
    }

    /**
     * The FastCGI connections kept open for this host's next requests ({@code keep-alive}), at most
     * {@code max-connections} of them open at once (0: no limit); null without keep-alive.
     */
    KeptConnections kept() {
        return kept;
    }

    /**
     * Counts a new connection of a keep-alive host without {@code max-connections} until its
     * backend answers. A php-fpm worker serves one connection at a time and reads a kept one until
     * it closes, so while new connections may wait in the backlog for a worker, finished
     * connections are closed rather than kept: otherwise the kept ones would hold every worker and
     * the new ones would wait forever.
     */
    void newConnectionStarted() {
        newConnectionsInUse.incrementAndGet();
    }

    void newConnectionEnded() {
        newConnectionsInUse.decrementAndGet();
    }

    /** True while a new connection may be waiting for a backend worker to accept it. */
    boolean newConnectionsWaiting() {
        return newConnectionsInUse.get() > 0;
    }

    /** How many kept connections wait for a request now. */
    public int idleConnections() {
        return kept == null ? 0 : kept.idleCount();
    }

    /**
     * Closes the idle kept connections, and any offered later once no request queued for one is
     * left: the host's generation is stopping.
     */
    public void closeIdleConnections() {
        if (kept != null) {
            kept.close();
        }
    }

    public void enter() {
        load.incrementAndGet();
        requests.incrementAndGet();
    }

    public void leave() {
        load.decrementAndGet();
    }
}
