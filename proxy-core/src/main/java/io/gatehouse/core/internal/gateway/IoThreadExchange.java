package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.gatehouse.core.internal.log.ErrorLog;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.nio.ForeignChannels;

/**
 * One try of a request on one backend host, without leaving its exchange's I/O thread, the body
 * read whole before ({@link BodyCollector}): the backend socket is non-blocking and registered
 * with the same selector as the client connection, so connecting, sending, reading the response
 * and writing it to the client all run as readiness events on that one thread, as lighttpd runs
 * them on its one. A large body is written as the backend takes it while its response is read. A
 * try that reached no backend (connect refused or timed out: the host is disabled for its
 * disable-time; closed before a byte was taken) hands the request back to its
 * {@link ProxiedRequest} for the next try. A unix socket whose listen queue is full is tried
 * again shortly, up to the connect-timeout: the backend is busy, not down.
 *
 * <p>Body bytes of one read are held back until the read is handled: a response that ends in the
 * read that began it (most small pages) gets a Content-Length instead of chunked encoding, as
 * lighttpd gives it, which also keeps HTTP/1.0 keep-alive connections open.
 *
 * <p>A client slower than the backend gets flow control: bytes the client cannot take yet are
 * kept (at most one read's worth) and the backend is not read again until they are written.
 *
 * <p>For a host with {@code max-connections} the connection comes from its {@link KeptConnections}:
 * an idle one, a new one, or, when all are busy, the next one to come free. A reused connection
 * the backend closed while it was idle (php-fpm's {@code pm.max_requests}) is replaced by a new
 * one once, when nothing of the response had arrived.
 *
 * <p>Confined to the I/O thread, except {@link #close()}, which a restart calls to abort it.
 */
final class IoThreadExchange
        implements ForeignChannels.ReadyHandler, ResponseRelay.ClientWriter, KeptConnections.Waiter, Closeable {

    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** How soon a connect refused for a full listen queue is tried again. */
    private static final long BACKLOG_RETRY_MILLIS = 5;

    private enum Phase { CONNECT, WRITE, READ }

    private final HttpServerExchange exchange;
    private final XnioIoThread ioThread;
    private final BackendHost host;
    private final ErrorLog errorLog;
    private final OutgoingRequest request;
    private final boolean withBody;
    private final ResponseRelay relay;
    private final ResponseReader reader;
    private final RequestTicket ticket;
    /** The next try, on another pick: run when this one reached no backend. */
    private final Runnable nextTry;
    /** The host's kept connections, or null: then each request opens and closes its own. */
    private final KeptConnections pool;
    private SocketChannel channel;
    /** With a pool: the connection in use, or null before one is granted. */
    private KeptConnection kept;
    /** Waiting in the pool's queue for a connection. */
    private boolean queued;
    /** Granted a slot in the pool for a new connection, not yet given back. */
    private boolean slotHeld;
    private boolean reused;
    private boolean retried;
    private boolean bytesReceived;
    /** The whole request is written. */
    private boolean requestComplete;
    /** Why the request could not be written whole, once the backend stopped taking it. */
    private IOException writeFailure;
    private ForeignChannels.Registration registration;
    private StreamSinkChannel client;
    /** Body bytes of the first read, held until it is known whether the response ended in it. */
    private ByteBuffer held;
    /** True until the first read that did not end the response has been passed on. */
    private boolean holding = true;
    /** Response bytes the client could not take yet; while it holds any, the backend is not read. */
    private ByteBuffer pending;
    /**
     * Starts as CONNECT; a connect that completes at once goes straight on to writing. WRITE lasts
     * until the request is written whole; the response is read meanwhile, as it comes.
     */
    private Phase phase = Phase.CONNECT;
    private long deadline = NO_DEADLINE;
    private XnioExecutor.Key timer;
    /** When {@link #timer} runs; a deadline before it needs an earlier timer. */
    private long timerAt;
    private boolean responseComplete;
    /** Counted by a pool without a limit as a new connection that may wait for a worker. */
    private boolean countedAsNew;
    /** Until when a connect refused for a full listen queue is tried again. */
    private long connectDeadline;
    private boolean finished;

    /**
     * @param request  the request, framed
     * @param withBody true when the request has a body: it is then never sent a second time
     */
    IoThreadExchange(HttpServerExchange exchange, BackendHost host, BackendProtocol protocol, OutgoingRequest request,
            boolean withBody, ErrorLog errorLog, Runnable nextTry) {
        this.exchange = exchange;
        this.ioThread = exchange.getIoThread();
        this.host = host;
        this.errorLog = errorLog;
        this.request = request;
        this.withBody = withBody;
        this.relay = new ResponseRelay(exchange, errorLog, host.describe(), this);
        this.reader = protocol.newResponseReader(relay, host.describe());
        this.ticket = exchange.getAttachment(RequestTicket.KEY);
        this.nextTry = nextTry;
        this.pool = host.kept();
    }

    /** True when {@code thread} can carry backend sockets: XNIO's NIO I/O threads can. */
    static boolean supports(XnioIoThread thread) {
        return ForeignChannels.supports(thread);
    }

    /** Connects and sends; the rest follows on readiness events. Call on the I/O thread, not in a handler call. */
    void start() {
        host.enter();
        if (ticket != null) {
            ticket.attach(this);
        }
        exchange.addExchangeCompleteListener((ex, next) -> {
            // The client connection closed (or a restart cut it) before the response ended.
            if (!finished) {
                runOnIoThread(this::abandon);
            }
            next.proceed();
        });
        if (finished) {
            return; // a restart aborted the request before it started
        }
        if (pool == null) {
            connect();
        } else {
            queued = true;
            pool.acquire(this);
        }
    }

    /** The pool grants an idle connection; called on any thread. */
    @Override
    public void reuse(KeptConnection connection) {
        runOnIoThread(() -> {
            queued = false;
            if (finished) {
                pool.release(connection, true, ioThread); // the client left while the request waited
                return;
            }
            kept = connection;
            channel = connection.channel();
            reused = true;
            try {
                registration = connection.attach(ioThread, this);
            } catch (IOException e) {
                failed(e);
                return;
            }
            if (withBody) {
                // A request with a body is never sent twice (the backend may have run it), and an
                // idle connection may be closing as it is handed over (php-fpm's pm.max_requests
                // ends the worker right after its last answer): it goes on a new connection, in
                // this one's pool slot.
                replaceReusedConnection();
                return;
            }
            send();
        });
    }

    /** The pool grants a slot for a new connection; called on any thread. */
    @Override
    public void connectNew() {
        runOnIoThread(() -> {
            queued = false;
            slotHeld = true;
            if (finished) {
                pool.release(null, false, ioThread);
                return;
            }
            connect();
        });
    }

    private void connect() {
        if (pool != null && !pool.limited() && !countedAsNew) {
            countedAsNew = true;
            pool.newConnectionOpening();
        }
        boolean connected;
        try {
            channel = host.openChannel();
            channel.configureBlocking(false);
            if (pool == null) {
                registration = ForeignChannels.register(ioThread, channel, this);
            } else {
                kept = new KeptConnection(channel);
                registration = kept.attach(ioThread, this);
            }
            connected = channel.connect(host.address());
        } catch (IOException e) {
            connectFailed(e);
            return;
        }
        if (connected) {
            send(); // a unix socket connects at once: no connect timer needed
        } else {
            arm(Phase.CONNECT, host.config().connectTimeout());
            registration.interest(SelectionKey.OP_CONNECT);
        }
    }

    @Override
    public void ready(int readyOps) {
        if (finished) {
            return;
        }
        if (phase == Phase.CONNECT) {
            try {
                channel.finishConnect();
            } catch (IOException e) {
                connectFailed(e);
                return;
            }
            send();
            return;
        }
        if (phase == Phase.WRITE && (readyOps & SelectionKey.OP_WRITE) != 0) {
            send();
        }
        if (!finished && (readyOps & SelectionKey.OP_READ) != 0 && !waitingForClient()) {
            try {
                readResponse();
            } catch (IOException e) {
                if (!retryOnNewConnection()) {
                    failed(e);
                }
            }
        }
    }

    /** Writes what the backend takes of the request; the rest follows when it is ready for more. */
    private void send() {
        long before = request.bytesWritten();
        boolean whole;
        try {
            whole = request.writeTo(channel);
        } catch (IOException e) {
            writeFailed(e);
            return;
        }
        if (whole) {
            requestComplete = true;
            arm(Phase.READ, host.config().readTimeout());
            updateInterest();
        } else if (phase != Phase.WRITE || request.bytesWritten() > before) {
            // A backend that takes a large body slowly is not stuck as long as it takes some.
            arm(Phase.WRITE, GatewayHandler.writeTimeout(host.config()));
            updateInterest();
        }
    }

    private void writeFailed(IOException e) {
        if (retryOnNewConnection()) {
            return;
        }
        if (request.bytesWritten() == 0) {
            // Nothing reached the backend: another try may succeed.
            errorLog.warn("gw-backend", host.describe() + " closed before the request was sent: " + e.getMessage());
            release();
            nextTry.run();
            return;
        }
        // The backend stopped reading; it may have answered first (a refusal, then close): its answer decides.
        writeFailure = e;
        arm(Phase.READ, host.config().readTimeout());
        updateInterest();
    }

    /**
     * Wants the backend's writability while the request is being written, and its response
     * while the client takes what came of it.
     */
    private void updateInterest() {
        int ops = waitingForClient() ? 0 : SelectionKey.OP_READ;
        registration.interest(phase == Phase.WRITE ? ops | SelectionKey.OP_WRITE : ops);
    }

    /**
     * Replaces a reused connection that failed before any byte of the response came: the backend
     * closed it while it was idle, and the request, which has no body, can be sent again. One with
     * a body is not: the backend may have read it and died running it.
     */
    private boolean retryOnNewConnection() {
        if (!reused || bytesReceived || retried || finished || withBody) {
            return false;
        }
        retried = true;
        request.rewind();
        replaceReusedConnection();
        return true;
    }

    /** Closes the reused connection and connects anew in its pool slot. */
    private void replaceReusedConnection() {
        reused = false;
        kept.detach();
        kept.close();
        kept = null;
        slotHeld = true;
        connect();
    }

    /**
     * Reads what the backend has sent and passes it on. The read buffer is held only for this
     * call: a thousand requests waiting for a busy backend must not hold a thousand buffers.
     */
    private void readResponse() throws IOException {
        ByteBuffer buffer = ReadBuffers.acquire();
        try {
            while (!finished && !waitingForClient()) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n == 0) {
                    return;
                }
                armForProgress();
                if (n > 0 && !bytesReceived) {
                    bytesReceived = true;
                    stopCountingAsNew();
                }
                if (n < 0) {
                    reader.endOfStream();
                    responseEnded();
                    return;
                }
                buffer.flip();
                if (reader.feed(buffer)) {
                    responseEnded();
                    return;
                }
                passHeldOn();
            }
        } finally {
            ReadBuffers.release(buffer);
        }
    }

    private void responseEnded() throws IOException {
        relay.finish();
        if (holding) {
            setContentLength();
            passHeldOn();
        }
        responseComplete = true;
        // A backend that answered before it read the whole request leaves the rest on the connection.
        release(reader.clean() && requestComplete);
        if (!waitingForClient()) {
            exchange.endExchange();
        }
    }

    // ---- the client side ----

    /** The whole body is in {@link #held}: says so, unless the backend did or the response has no body. */
    private void setContentLength() {
        HeaderMap headers = exchange.getResponseHeaders();
        if (headers.contains(Headers.CONTENT_LENGTH) || headers.contains(Headers.TRANSFER_ENCODING)
                || !Http10LengthBuffer.mayHaveBody(exchange)) {
            return;
        }
        headers.put(Headers.CONTENT_LENGTH, held == null ? 0 : held.position());
    }

    /** Ends holding back: what was held goes to the client. */
    private void passHeldOn() throws IOException {
        holding = false;
        if (held != null) {
            ByteBuffer body = held.flip();
            held = null;
            write(body);
        }
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        if (holding) {
            held = append(held, data, 0);
            return;
        }
        if (waitingForClient()) {
            keep(data);
            return;
        }
        try {
            if (client == null) {
                client = exchange.getResponseChannel(); // sends the head with the first body bytes
            }
            while (data.hasRemaining() && client.write(data) > 0) {
                // the client takes what its socket buffer holds
            }
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
        if (data.hasRemaining()) {
            keep(data);
            updateInterest();
            deadline = NO_DEADLINE; // the backend is not at fault while the client reads slowly
            client.getWriteSetter().set(sink -> flushToClient());
            client.resumeWrites();
        }
    }

    private boolean waitingForClient() {
        return pending != null && pending.position() > 0;
    }

    private void keep(ByteBuffer data) {
        pending = append(pending, data, ReadBuffers.BUFFER_SIZE);
    }

    /**
     * {@code buffer} with {@code data} appended: a new one of at least {@code firstCapacity} when
     * {@code buffer} is null, a larger copy when it lacks room.
     */
    private static ByteBuffer append(ByteBuffer buffer, ByteBuffer data, int firstCapacity) {
        if (buffer == null) {
            buffer = ByteBuffer.allocate(Math.max(firstCapacity, data.remaining()));
        } else if (buffer.remaining() < data.remaining()) {
            buffer = ByteBuffer.allocate(buffer.position() + data.remaining()).put(buffer.flip());
        }
        return buffer.put(data);
    }

    private void flushToClient() {
        if (finished && !responseComplete) {
            return;
        }
        try {
            pending.flip();
            while (pending.hasRemaining() && client.write(pending) > 0) {
                // as much as the client's socket buffer takes
            }
            pending.compact();
        } catch (IOException e) {
            failed(new ClientGoneException(e));
            return;
        }
        if (waitingForClient()) {
            return;
        }
        client.suspendWrites();
        if (responseComplete) {
            exchange.endExchange();
            return;
        }
        armForProgress();
        updateInterest();
        try {
            readResponse();
        } catch (IOException e) {
            failed(e);
        }
    }

    // ---- timeouts ----

    /**
     * Enters {@code next} with its timeout (ZERO = none). One timer task at a time checks the
     * deadline; a deadline that moves later (progress on a read) costs nothing until it runs.
     */
    private void arm(Phase next, Duration timeout) {
        phase = next;
        if (timeout.isZero()) {
            deadline = NO_DEADLINE;
            return;
        }
        deadline = System.nanoTime() + timeout.toNanos();
        if (timer != null && deadline - timerAt < 0) {
            timer.remove();
            timer = null;
        }
        if (timer == null) {
            scheduleCheck(deadline);
        }
    }

    /** Moves the deadline of the current phase on: the backend made progress. */
    private void armForProgress() {
        arm(phase, phase == Phase.WRITE ? GatewayHandler.writeTimeout(host.config()) : host.config().readTimeout());
    }

    private void scheduleCheck(long at) {
        long millis = TimeUnit.NANOSECONDS.toMillis(at - System.nanoTime()) + 1;
        timerAt = at;
        timer = ioThread.executeAfter(this::checkDeadline, millis, TimeUnit.MILLISECONDS);
    }

    private void checkDeadline() {
        timer = null;
        if (finished || deadline == NO_DEADLINE) {
            return;
        }
        if (deadline - System.nanoTime() > 0) {
            scheduleCheck(deadline);
            return;
        }
        switch (phase) {
            case CONNECT -> connectFailed(new BackendTimeoutException(BackendTimeoutException.Phase.CONNECT,
                    "connect to " + host.describe() + ": timed out"));
            case WRITE -> failed(new BackendTimeoutException(BackendTimeoutException.Phase.WRITE,
                    "could not write to " + host.describe() + ": timed out"));
            case READ -> failed(new BackendTimeoutException(BackendTimeoutException.Phase.READ,
                    "no data from " + host.describe() + ": timed out"));
        }
    }

    // ---- endings ----

    /**
     * Nothing reached the backend: the host leaves rotation for its disable-time and the next try
     * begins; a full listen queue is tried again shortly instead.
     */
    private void connectFailed(IOException e) {
        if (backlogFull(e) && connectAgainLater()) {
            return;
        }
        GatewayHandler.connectFailed(host, e, errorLog);
        release();
        nextTry.run();
    }

    /**
     * Schedules another connect to a backend whose listen queue was full, until the connect-timeout
     * runs out (then false): lighttpd disables such a backend as overloaded and answers 503 when it
     * was the only one; a busy backend is better waited for, as a blocking connect would.
     */
    private boolean connectAgainLater() {
        long now = System.nanoTime();
        if (connectDeadline == 0) {
            connectDeadline = now + host.config().connectTimeout().toNanos();
        }
        if (now - connectDeadline >= 0) {
            return false;
        }
        closeChannel();
        ioThread.executeAfter(() -> {
            if (!finished) {
                connect();
            }
        }, BACKLOG_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return true;
    }

    /**
     * A unix socket whose listen queue is full fails a non-blocking connect with EAGAIN where a
     * blocking connect would wait for room.
     */
    private boolean backlogFull(IOException e) {
        return host.address() instanceof UnixDomainSocketAddress && e.getMessage() != null
                && e.getMessage().contains("temporarily unavailable");
    }

    private void failed(IOException e) {
        // A backend that stopped reading and went without a word: its refusal to read is the story.
        IOException cause = writeFailure != null && !bytesReceived ? writeFailure : e;
        release();
        if (!responseComplete) {
            GatewayHandler.reportFailure(exchange, relay, cause, errorLog);
        } else {
            ErrorPages.abort(exchange);
        }
    }

    /** The client or a restart ended the exchange first: drop the backend side. */
    private void abandon() {
        if (!finished) {
            release();
            ErrorPages.abort(exchange);
        }
    }

    /** Closes the backend side and gives back what the request held. Idempotent. */
    private void release() {
        release(false);
    }

    /**
     * Gives back what the request held: the connection goes back to the pool when
     * {@code reusable} (the response ended cleanly with FCGI_KEEP_CONN), else is closed. Idempotent.
     */
    private void release(boolean reusable) {
        if (finished) {
            return;
        }
        finished = true;
        if (timer != null) {
            timer.remove();
            timer = null;
        }
        stopCountingAsNew();
        if (kept != null) {
            kept.detach();
            pool.release(kept, reusable, ioThread);
        } else {
            IoUtils.safeClose(channel); // a backend socket we are done with: nothing to recover
            if (queued) {
                // Not granted yet, or a grant is on its way: then its task finds this finished and gives it back.
                pool.cancel(this);
            } else if (slotHeld) {
                pool.release(null, false, ioThread);
            }
        }
        if (ticket != null) {
            ticket.detach();
        }
        host.leave();
    }

    /** The backend took the connection (or it ended): it waits for no worker any more. */
    private void stopCountingAsNew() {
        if (countedAsNew) {
            countedAsNew = false;
            pool.newConnectionAnswered();
        }
    }

    /** Drops a connection that failed to connect, keeping the pool slot it was opened in. */
    private void closeChannel() {
        IoUtils.safeClose(channel); // never connected: nothing to recover
        kept = null;
    }

    private void runOnIoThread(Runnable task) {
        if (Thread.currentThread() == ioThread) {
            task.run();
        } else {
            ioThread.execute(task);
        }
    }

    @Override
    public void terminated() {
        runOnIoThread(this::abandon);
    }

    /** Called by {@link RequestTicket#abort()} from a restart's thread. */
    @Override
    public void close() {
        runOnIoThread(this::abandon);
    }
}
