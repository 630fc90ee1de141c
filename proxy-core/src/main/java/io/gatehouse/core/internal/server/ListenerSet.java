package io.gatehouse.core.internal.server;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.gatehouse.conf.ConnectionLimits;
import io.gatehouse.conf.ListenerConfig;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.core.internal.http.RequestHeadSize;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.tls.TlsContexts;
import io.gatehouse.spawn.OpenFileLimit;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.nio.LimitedAccepting;

/**
 * The HTTP listeners, built directly on XNIO rather than through {@code Undertow.builder()}: that
 * keeps each accepting channel in hand, so accepting can be paused without closing a connection
 * (needed by graceful restart) and listeners can be added or removed one by one. It also lets a
 * listener serve on a socket systemd passed ({@link InheritedSockets}); such a socket is kept for
 * the life of the set: a restart whose config no longer names its address serves it with the
 * global settings instead of closing it, as lighttpd keeps inherited sockets across SIGUSR1.
 *
 * <p>Thread-safe; listeners are added and removed by one restart at a time.
 */
public final class ListenerSet implements Closeable {

    /** Per-connection read buffers; 16 KiB holds a typical request head in one read. */
    private static final int BUFFER_SIZE = 16 * 1024;

    /**
     * Buffers Undertow keeps for reuse beyond its per-thread caches. With -1 it frees every
     * buffer a gateway (virtual) thread hands back, through sun.misc.Unsafe, which JDK 24+ warns
     * about; buffers pooled here were all in use at once, so the cap only bounds a peak.
     */
    private static final int MAX_POOLED_BUFFERS = 4096;

    /** lighttpd's default listen backlog: connections wait here while accepting is paused. */
    private static final int BACKLOG = 1024;

    /**
     * Accepting resumes when open connections fall to this share of {@code server.max-connections}:
     * a little room, so accepting does not flap at the limit.
     */
    private static final double ACCEPT_RESUME_SHARE = 0.9;

    /**
     * Header lines in one request head. With {@code server.max-request-field-size} the head is
     * bounded anyway; this bounds the per-header bookkeeping of a head of one-byte headers.
     */
    private static final int MAX_HEADERS = 256;

    /** A TLS record (16 KiB of data) with its header, MAC and padding. */
    private static final int TLS_BUFFER_SIZE = 17 * 1024;

    /** The per-stream receive window: HTTP/2's default, which bounds what one stream can buffer here. */
    private static final int HTTP2_WINDOW = 65535;

    /** The HPACK table clients may make us keep, HTTP/2's default. */
    private static final int HTTP2_HEADER_TABLE = 4096;

    /**
     * Undertow's own reset limit, kept at the numbers {@link Http2FrameCounter} enforces for every
     * reset (Undertow leaves out streams whose request is still waiting for its backend).
     */
    private static final int HTTP2_MAX_RESETS = Http2FrameCounter.Budget.RESETS.limit;
    private static final int HTTP2_RESET_WINDOW_MILLIS =
            (int) (Http2FrameCounter.Budget.RESETS.windowNanos / 1_000_000L);

    /** Threads for Undertow's own dispatches (static files); proxied requests run on the I/O threads. */
    private static final int WORKER_TASK_THREADS = 8;

    private final XnioWorker worker;
    /** The accepting of every listener, bounded together by {@code server.max-connections}. */
    private final LimitedAccepting accepting;
    private final ExecutorService tasks;
    private final ByteBufferPool buffers;
    private final ByteBufferPool tlsBuffers;
    private final InheritedSockets inherited;
    private final List<Bound> bound = new CopyOnWriteArrayList<>();
    /** The settings new listeners get; {@link #apply} changes them for all. */
    private volatile ServerConfig limits;
    /** Removed by a restart: their connections are closed with the rest at {@link #close()}. */
    private final List<Bound> retired = new CopyOnWriteArrayList<>();

    /**
     * A listener with its accepting channel and the connections it opened.
     *
     * @param inheritedFd the systemd fd it serves on, -1 when bound here
     */
    private record Bound(ListenerConfig config, AcceptingChannel<StreamConnection> channel, ConnectionOpener open,
            int inheritedFd) {
    }

    /** The certificates and TLS settings new connections get; {@link #apply} changes them. */
    private volatile TlsContexts tls;
    private final Http2RequestBudget http2Budget;
    private final ErrorLog errorLog;

    private ListenerSet(XnioWorker worker, LimitedAccepting accepting, ExecutorService tasks, ByteBufferPool buffers,
            InheritedSockets inherited, ServerConfig limits, TlsContexts tls, Http2RequestBudget http2Budget,
            ErrorLog errorLog) {
        this.limits = limits;
        this.http2Budget = http2Budget;
        this.errorLog = errorLog;
        this.tls = tls;
        this.tlsBuffers = new DefaultByteBufferPool(true, TLS_BUFFER_SIZE, MAX_POOLED_BUFFERS, 4);
        this.worker = worker;
        this.accepting = accepting;
        this.tasks = tasks;
        this.buffers = buffers;
        this.inherited = inherited;
    }

    /**
     * Binds every listener, or serves it on the inherited socket with its address, then serves
     * the inherited sockets no listener claimed with the global settings. On failure nothing
     * stays bound and every inherited socket is closed.
     *
     * @param listeners {@link InheritedSockets#listenersToServe} of the config
     * @param handlers  the root handler for each listener
     * @param limits    the config whose head, idle and connection limits the listeners apply
     * @param ioThreads  the I/O threads; each runs its connections' requests start to end
     * @param threadName what the threads are called: {@code NAME I/O-1}, {@code NAME-task}
     * @param tls        the loaded TLS of the listeners that serve HTTPS
     * @param http2Budget the server's, which the handlers' is too: told of the streams clients reset
     * @param errorLog   told of the connections closed for a flood of HTTP/2 frames
     */
    public static ListenerSet bind(List<ListenerConfig> listeners, Function<ListenerConfig, HttpHandler> handlers,
            InheritedSockets inherited, ServerConfig limits, int ioThreads, String threadName, TlsContexts tls,
            Http2RequestBudget http2Budget, ErrorLog errorLog) throws IOException {
        // XNIO's own task pool (jboss-threads) touches sun.misc.Unsafe, which JDK 24+ warns about
        // on every start; requests run on our gateway executor, so a small plain pool does.
        ThreadPoolExecutor tasks = new ThreadPoolExecutor(WORKER_TASK_THREADS, WORKER_TASK_THREADS, 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, threadName + "-task");
                    thread.setDaemon(true);
                    return thread;
                });
        tasks.allowCoreThreadTimeOut(true);
        XnioWorker worker;
        try {
            worker = Xnio.getInstance(ListenerSet.class.getClassLoader()).createWorkerBuilder()
                    .populateFromOptions(OptionMap.builder()
                            .set(Options.WORKER_IO_THREADS, ioThreads)
                            .set(Options.TCP_NODELAY, true)
                            .set(Options.WORKER_NAME, threadName)
                            .getMap())
                    .setExternalExecutorService(tasks)
                    .build();
        } catch (RuntimeException e) {
            tasks.shutdownNow();
            inherited.close();
            throw e;
        }
        LimitedAccepting accepting;
        try {
            accepting = new LimitedAccepting(worker, maxConnections(limits), resumeAcceptingAt(limits));
        } catch (IOException e) {
            worker.shutdownNow();
            tasks.shutdownNow();
            inherited.close();
            throw e;
        }
        ListenerSet set = new ListenerSet(worker, accepting, tasks,
                new DefaultByteBufferPool(true, BUFFER_SIZE, MAX_POOLED_BUFFERS, 4), inherited, limits, tls,
                http2Budget, errorLog);
        try {
            for (ListenerConfig listener : listeners) {
                InheritedSockets.Socket socket = inherited.claim(listener).orElse(null);
                set.bindOne(listener, handlers.apply(listener), socket).channel().resumeAccepts();
            }
            for (InheritedSockets.Socket socket : inherited.claimRest()) {
                ListenerConfig listener = socket.asListener();
                set.bindOne(listener, handlers.apply(listener), socket).channel().resumeAccepts();
            }
            return set;
        } catch (IOException | RuntimeException e) {
            inherited.close();
            set.close();
            throw e;
        }
    }

    /** The listeners of {@code config} this set serves: see {@link InheritedSockets#listenersToServe}. */
    public List<ListenerConfig> listenersToServe(ServerConfig config) {
        return inherited.listenersToServe(config);
    }

    /** The listeners serving on sockets systemd passed; a restart keeps them whatever its config says. */
    public List<ListenerConfig> inherited() {
        List<ListenerConfig> configs = new ArrayList<>();
        for (Bound b : bound) {
            if (b.inheritedFd() >= 0) {
                configs.add(b.config());
            }
        }
        return configs;
    }

    /**
     * How each inherited socket is served, for the log: {@code fd 3 127.0.0.1:8080 (127.0.0.1:8080
     * at gh.conf:1:15)} or {@code fd 4 [::]:8443 (not in the config: global settings)}.
     */
    public List<String> describeInherited() {
        List<String> lines = new ArrayList<>();
        for (Bound b : bound) {
            if (b.inheritedFd() >= 0) {
                ListenerConfig c = b.config();
                boolean configured = !c.location().equals(InheritedSockets.SYSTEMD_ONLY);
                lines.add("fd " + b.inheritedFd() + " " + c.normalizedToken() + (configured
                        ? " (" + c.token() + " at " + c.location() + ")" : " (not in the config: global settings)"));
            }
        }
        return lines;
    }

    /**
     * Binds listeners a restart adds, without accepting on them yet ({@link #resumeAccepts()}
     * starts that): a port that cannot be bound is found before anything is torn down. On
     * failure none of them stays bound.
     */
    public void bindPaused(List<ListenerConfig> listeners, Function<ListenerConfig, HttpHandler> handlers,
            TlsContexts contexts) throws IOException {
        List<ListenerConfig> done = new ArrayList<>();
        try {
            for (ListenerConfig listener : listeners) {
                bindOne(listener, handlers.apply(listener), null).open()
                        .use(contexts.of(listener).orElse(null), limits.http2(), limits.h2c());
                done.add(listener);
            }
        } catch (IOException | RuntimeException e) {
            remove(done);
            throw e;
        }
    }

    /** Closes the listening sockets of {@code listeners}; their open connections are left to finish. */
    public void remove(List<ListenerConfig> listeners) {
        for (Bound b : bound) {
            if (listeners.contains(b.config())) {
                IoUtils.safeClose(b.channel());
                bound.remove(b);
                retired.add(b);
            }
        }
    }

    /** The listeners bound now, in the order they were added. */
    public List<ListenerConfig> configs() {
        List<ListenerConfig> configs = new ArrayList<>();
        for (Bound b : bound) {
            configs.add(b.config());
        }
        return configs;
    }

    private Bound bindOne(ListenerConfig listener, HttpHandler handler, InheritedSockets.Socket inheritedSocket)
            throws IOException {
        if (listener.inetAddress().isEmpty()) {
            throw new IOException("GH-LISTEN-001 " + listener.location() + ": unix-domain listener "
                    + listener.token() + " is not supported (XNIO listens on TCP only); use server.bind with an IP");
        }
        InetSocketAddress address = listener.inetAddress().get();
        // Answers "Expect: 100-continue" when the gateway starts reading the body (curl waits for it).
        ConnectionOpener open = new ConnectionOpener(worker.getXnio(), buffers, tlsBuffers, undertowOptions(limits),
                new HttpContinueReadHandler(handler), http2Budget, errorLog);
        open.use(tls.of(listener).orElse(null), limits.http2(), limits.h2c());
        OptionMap socketOptions = OptionMap.builder()
                .set(Options.TCP_NODELAY, true)
                .addAll(connectionOptions(limits))
                .getMap();
        // An inherited socket is bound and listening already: systemd chose address, backlog and reuse options.
        ServerSocketChannel socket = inheritedSocket != null ? inheritedSocket.channel() : listen(listener, address);
        AcceptingChannel<StreamConnection> channel;
        try {
            channel = accepting.serve(socket, socketOptions, open);
        } catch (IOException | RuntimeException e) {
            IoUtils.safeClose(socket);
            throw e;
        }
        Bound b = new Bound(listener, channel, open, inheritedSocket == null ? -1 : inheritedSocket.fd());
        bound.add(b);
        return b;
    }

    /** A socket bound to {@code address} and listening, with lighttpd's backlog. */
    private static ServerSocketChannel listen(ListenerConfig listener, InetSocketAddress address) throws IOException {
        ServerSocketChannel socket = ServerSocketChannel.open();
        try {
            socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            socket.bind(address, BACKLOG);
            return socket;
        } catch (IOException e) {
            IoUtils.safeClose(socket);
            throw new IOException("GH-LISTEN-002 " + listener.location() + ": cannot listen on " + listener.token()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code config}'s limits and {@code contexts}' certificates those of every listener:
     * connections accepted from now on get its head size, idle times, parse settings, TLS and
     * HTTP/2 settings; open connections keep theirs.
     */
    public void apply(ServerConfig config, TlsContexts contexts) {
        limits = config;
        tls = contexts;
        OptionMap undertowOptions = undertowOptions(config);
        OptionMap connectionOptions = connectionOptions(config);
        accepting.setLimit(maxConnections(config), resumeAcceptingAt(config));
        for (Bound b : bound) {
            b.open().setUndertowOptions(undertowOptions);
            b.open().use(contexts.of(b.config()).orElse(null), config.http2(), config.h2c());
            try {
                b.channel().setOption(Options.READ_TIMEOUT, connectionOptions.get(Options.READ_TIMEOUT, 0));
                b.channel().setOption(Options.WRITE_TIMEOUT, connectionOptions.get(Options.WRITE_TIMEOUT, 0));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static OptionMap undertowOptions(ServerConfig config) {
        ConnectionLimits limits = config.connectionLimits();
        return OptionMap.builder()
                .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                // The target is decoded and normalised by RequestTarget, as lighttpd does it; Undertow's
                // own decoding would lose the raw REQUEST_URI and read ';' as a path-parameter separator.
                .set(UndertowOptions.DECODE_URL, false)
                // Heads between the limit and this get lighttpd's 431 from RequestHeadSize.
                .set(UndertowOptions.MAX_HEADER_SIZE, RequestHeadSize.parserLimit(config.maxRequestFieldSize()))
                .set(UndertowOptions.MAX_HEADERS, MAX_HEADERS)
                .set(UndertowOptions.RECORD_REQUEST_START_TIME, true)
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, millis(limits.maxKeepAliveIdle()))
                .set(UndertowOptions.ALWAYS_SET_DATE, true)
                // Undertow cuts bodies over 2 MiB by default; the size limit is ours
                // (server.max-request-size, answered with a clear 413).
                .set(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .set(UndertowOptions.HTTP2_SETTINGS_ENABLE_PUSH, false)
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, Http2RequestSlots.MAX_STREAMS)
                .set(UndertowOptions.MAX_CONCURRENT_REQUESTS_PER_CONNECTION, Http2RequestSlots.MAX_STREAMS)
                // HPACK-decoded, the same head limit as HTTP/1.1 (its 431 comes from RequestHeadSize).
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
                        RequestHeadSize.parserLimit(config.maxRequestFieldSize()))
                .set(UndertowOptions.HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, HTTP2_WINDOW)
                .set(UndertowOptions.HTTP2_SETTINGS_HEADER_TABLE_SIZE, HTTP2_HEADER_TABLE)
                .set(UndertowOptions.MAX_RST_FRAMES_PER_WINDOW, HTTP2_MAX_RESETS)
                .set(UndertowOptions.RST_FRAMES_TIME_WINDOW, HTTP2_RESET_WINDOW_MILLIS)
                .getMap();
    }

    private static OptionMap connectionOptions(ServerConfig config) {
        ConnectionLimits limits = config.connectionLimits();
        return OptionMap.builder()
                .set(Options.READ_TIMEOUT, millis(limits.maxReadIdle()))
                .set(Options.WRITE_TIMEOUT, millis(limits.maxWriteIdle()))
                .getMap();
    }

    private static int resumeAcceptingAt(ServerConfig config) {
        return (int) (maxConnections(config) * ACCEPT_RESUME_SHARE);
    }

    /**
     * {@code server.max-connections} in force for {@code config}: derived, as lighttpd derives it,
     * from {@code server.max-fds} and the open-file limit the process has now.
     */
    public static int maxConnections(ServerConfig config) {
        ConnectionLimits limits = config.connectionLimits();
        return limits.maxConnections(limits.descriptors(OpenFileLimit.soft()));
    }

    /** Whole milliseconds for XNIO, which takes an int; 0 (lighttpd: no limit) stays 0. */
    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }

    /** The addresses actually bound, in listener order (port 0 resolved). */
    public List<SocketAddress> addresses() {
        List<SocketAddress> addresses = new ArrayList<>();
        for (Bound b : bound) {
            addresses.add(b.channel().getLocalAddress());
        }
        return addresses;
    }

    /** Stops accepting on every listener; the sockets stay bound and connections stay open. */
    public void suspendAccepts() {
        for (Bound b : bound) {
            b.channel().suspendAccepts();
        }
    }

    public void resumeAccepts() {
        for (Bound b : bound) {
            b.channel().resumeAccepts();
        }
    }

    /** Closes the listening sockets only; open connections are left to finish. */
    public void closeListeners() {
        for (Bound b : bound) {
            IoUtils.safeClose(b.channel());
        }
    }

    /** Closes every open connection; the listeners keep accepting. */
    public void closeConnections() {
        for (Bound b : bound) {
            b.open().closeConnections();
        }
        for (Bound b : retired) {
            b.open().closeConnections();
        }
    }

    /** Closes listeners, every open connection and the I/O threads. */
    @Override
    public void close() {
        closeListeners();
        closeConnections();
        worker.shutdownNow();
        tasks.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
            tasks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
