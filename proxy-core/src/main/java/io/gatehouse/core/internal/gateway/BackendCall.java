package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.core.internal.backend.BackendHost;
import io.gatehouse.core.internal.backend.ConnectionLease;
import io.gatehouse.core.internal.backend.IoThreads;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.protocol.BackendProtocol;
import io.gatehouse.core.internal.protocol.ResponseReader;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import org.xnio.XnioIoThread;

/**
 * One try of a request on one backend host, as readiness events on its exchange's I/O thread:
 * the backend socket is non-blocking and registered with the same selector as the client
 * connection, so connecting, sending, reading the response and writing it to the client all run
 * on that one thread, as lighttpd runs them on its one.
 *
 * <p>One state at a time ({@link State}); the concerns beside it have classes of their own: the
 * connection and what it owes the pool ({@link ConnectionLease}), the one deadline
 * ({@link Deadline}), the client side with its held bytes and flow control ({@link ClientSink}),
 * and what a failure means ({@link BackendFailure}). A large body is written as the backend takes
 * it while its response is read; the backend is read as fast as the client takes the response,
 * or the sink's spool keeps what the client has not taken yet ({@link ClientSink}). A try that reached no backend hands the request back to its {@link ProxiedRequest}
 * for the next pick; a unix socket whose listen queue is full is connected again shortly, up to
 * the connect-timeout. A reused kept connection that the backend closed while it was idle
 * (php-fpm's {@code pm.max_requests}) is replaced by a new one once, for a request without a body.
 *
 * <p>Confined to the I/O thread, except {@link #close()}, which a restart calls to abort it.
 */
final class BackendCall implements ConnectionLease.Holder, ClientSink.Flow, Closeable {

    /** How soon a connect refused for a full listen queue is tried again. */
    private static final long BACKLOG_RETRY_MILLIS = 5;

    private enum State {
        /** Waiting for the pool to grant a connection or a slot. */
        LEASING,
        /** A new connection's connect is under way. */
        CONNECTING,
        /** Writing the request; the response is read as it comes. */
        SENDING,
        /** The request is written; reading the response. */
        RECEIVING,
        /** The response came whole; the client may still be taking its last bytes. */
        RESPONDED,
        /** Failed, abandoned, or handed back for the next try. */
        CLOSED
    }

    private final HttpServerExchange exchange;
    private final XnioIoThread ioThread;
    private final BackendHost host;
    private final ErrorLog errorLog;
    private final ReadBuffers buffers;
    private final OutgoingRequest request;
    private final boolean withBody;
    private final ResponseRelay relay;
    private final ResponseReader reader;
    private final ClientSink sink;
    private final ConnectionLease lease;
    private final Deadline deadline;
    private final RequestTicket ticket;
    /** The next try, on another pick: run when this one reached no backend. */
    private final Runnable nextTry;
    private State state = State.LEASING;
    private boolean retriedOnNewConnection;
    private boolean responseStarted;
    private boolean requestWritten;
    /** Why the request could not be written whole, once the backend stopped taking it. */
    private IOException writeFailure;
    /** Until when a connect refused for a full listen queue is tried again; 0 before the first. */
    private long connectDeadline;

    /**
     * @param request  the request, framed
     * @param withBody true when the request has a body: it is then never sent a second time
     * @param buffers  the server's buffers to read the response into
     * @param spoolPlace where the response is spooled while the client is slower than the backend
     */
    BackendCall(HttpServerExchange exchange, BackendHost host, BackendProtocol protocol, OutgoingRequest request,
            boolean withBody, ErrorLog errorLog, ReadBuffers buffers, ResponseSpool.Place spoolPlace,
            Runnable nextTry) {
        this.exchange = exchange;
        this.ioThread = exchange.getIoThread();
        this.host = host;
        this.errorLog = errorLog;
        this.buffers = buffers;
        this.request = request;
        this.withBody = withBody;
        this.sink = new ClientSink(exchange, this, buffers, spoolPlace, errorLog);
        this.relay = new ResponseRelay(exchange, errorLog, host.describe(), sink);
        this.reader = protocol.newResponseReader(relay, host.describe());
        this.lease = new ConnectionLease(host, ioThread, this);
        this.deadline = new Deadline(ioThread, this::deadlinePassed);
        this.ticket = exchange.getAttachment(RequestTicket.KEY);
        this.nextTry = nextTry;
    }

    /** Starts the try; the rest follows on readiness events. Call on the I/O thread, not in a handler call. */
    void start() {
        host.enter();
        if (ticket != null) {
            ticket.attach(this);
        }
        exchange.addExchangeCompleteListener((ex, next) -> {
            // The client connection closed (or a restart cut it) before the response ended.
            IoThreads.runOn(ioThread, this::abandon);
            next.proceed();
        });
        if (state == State.LEASING) { // else a restart aborted the request before it started
            lease.request();
        }
    }

    // ---- connecting ----

    @Override
    public boolean wantsConnection() {
        return state == State.LEASING;
    }

    @Override
    public void granted() {
        if (!lease.reused()) {
            connect();
        } else if (withBody) {
            // A request with a body is never sent twice (the backend may have run it), and an idle
            // connection may be closing as it is handed over (php-fpm's pm.max_requests ends the
            // worker right after its last answer): it goes on a new connection, in this one's slot.
            lease.dropReused();
            connect();
        } else {
            startSending();
        }
    }

    @Override
    public void grantFailed(IOException e) {
        failed(e);
    }

    private void connect() {
        state = State.CONNECTING;
        boolean connected;
        try {
            connected = lease.openNew();
        } catch (IOException e) {
            connectFailed(e);
            return;
        }
        if (connected) {
            startSending(); // a unix socket connects at once: no connect timer needed
        } else {
            deadline.set(host.config().connectTimeout());
            lease.interest(SelectionKey.OP_CONNECT);
        }
    }

    private void connectFailed(IOException e) {
        BackendFailure failure = BackendFailure.ofConnect(host.address(), e);
        if (failure == BackendFailure.LISTEN_QUEUE_FULL && connectAgainLater()) {
            return;
        }
        // Out of rotation for its disable-time, as lighttpd does after a failed connect.
        BackendConfig config = host.config();
        host.disable(config.disableTime());
        errorLog.warn("gw-backend", "connect to " + host.describe() + " failed: " + e.getMessage()
                + "; disabled for " + config.disableTime().toSeconds() + " s");
        handBack();
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
        lease.dropFailedConnect();
        ioThread.executeAfter(() -> {
            if (state == State.CONNECTING) {
                connect();
            }
        }, BACKLOG_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return true;
    }

    // ---- readiness ----

    @Override
    public void ready(int readyOps) {
        switch (state) {
            case CONNECTING -> {
                try {
                    lease.channel().finishConnect();
                } catch (IOException e) {
                    connectFailed(e);
                    return;
                }
                startSending();
            }
            case SENDING -> {
                if ((readyOps & SelectionKey.OP_WRITE) != 0) {
                    send();
                }
                if ((readyOps & SelectionKey.OP_READ) != 0) {
                    receive();
                }
            }
            case RECEIVING -> receive();
            default -> {
                // stale readiness after the try ended
            }
        }
    }

    @Override
    public void terminated() {
        IoThreads.runOn(ioThread, this::abandon);
    }

    // ---- sending ----

    private void startSending() {
        state = State.SENDING;
        send();
    }

    /** Writes what the backend takes of the request; the rest follows when it is ready for more. */
    private void send() {
        long before = request.bytesWritten();
        boolean whole;
        try {
            whole = request.writeTo(lease.channel());
        } catch (IOException e) {
            writeFailed(e);
            return;
        }
        if (whole) {
            requestWritten = true;
            startReceiving();
        } else if (before == 0 || request.bytesWritten() > before) {
            // A backend that takes a large body slowly is not stuck as long as it takes some.
            deadline.set(GatewayHandler.writeTimeout(host.config()));
            updateInterest();
        }
    }

    private void writeFailed(IOException e) {
        if (retryOnNewConnection()) {
            return;
        }
        if (request.bytesWritten() == 0) {
            failed(e);
            return;
        }
        // The backend stopped reading; it may have answered first (a refusal, then close): its answer decides.
        writeFailure = e;
        startReceiving();
    }

    private void startReceiving() {
        state = State.RECEIVING;
        if (!sink.blocked()) {
            deadline.set(host.config().readTimeout());
        }
        updateInterest();
    }

    /**
     * Wants the backend's writability while the request is being written, and its response
     * while the client takes what came of it.
     */
    private void updateInterest() {
        int ops = sink.blocked() ? 0 : SelectionKey.OP_READ;
        lease.interest(state == State.SENDING ? ops | SelectionKey.OP_WRITE : ops);
    }

    /**
     * Replaces a reused connection that failed before any byte of the response came: the backend
     * closed it while it was idle, and the request, which has no body, can be sent again. One with
     * a body is not: the backend may have read it and died running it.
     */
    private boolean retryOnNewConnection() {
        if (!lease.reused() || responseStarted || retriedOnNewConnection || withBody) {
            return false;
        }
        retriedOnNewConnection = true;
        request.rewind();
        lease.dropReused();
        connect();
        return true;
    }

    // ---- receiving ----

    private void receive() {
        if (sink.blocked()) {
            return;
        }
        try {
            readResponse();
        } catch (IOException e) {
            if (!retryOnNewConnection()) {
                failed(e);
            }
        }
    }

    /**
     * Reads what the backend has sent and passes it on. The read buffer is held only for this
     * call, unless the sink keeps a read of a response it holds (a bounded number across the
     * server): a thousand requests waiting for a busy backend must not hold a thousand buffers.
     */
    private void readResponse() throws IOException {
        PooledByteBuffer pooled = buffers.acquire();
        try {
            while (!sink.blocked() && (state == State.SENDING || state == State.RECEIVING)) {
                ByteBuffer buffer = pooled.getBuffer();
                buffer.clear();
                int n = lease.channel().read(buffer);
                if (n == 0) {
                    return;
                }
                deadline.set(state == State.SENDING ? GatewayHandler.writeTimeout(host.config())
                        : host.config().readTimeout());
                if (n < 0) {
                    reader.endOfStream();
                    responseEnded();
                    return;
                }
                if (!responseStarted) {
                    responseStarted = true;
                    lease.backendAnswered();
                }
                buffer.flip();
                if (reader.feed(buffer)) {
                    responseEnded();
                    return;
                }
                if (sink.readHandled(pooled)) {
                    pooled = buffers.acquire(); // the sink holds that read's bytes for now
                }
            }
        } finally {
            buffers.release(pooled);
        }
    }

    private void responseEnded() throws IOException {
        relay.finish();
        // A backend that answered before it read the whole request leaves the rest on the connection.
        release(reader.clean() && requestWritten, State.RESPONDED);
        sink.responseEnded();
    }

    // ---- the client side ----

    @Override
    public void clientBlocked() {
        updateInterest();
        deadline.clear(); // the backend is not at fault while the client reads slowly
    }

    @Override
    public void clientDrained() {
        deadline.set(state == State.SENDING ? GatewayHandler.writeTimeout(host.config()) : host.config().readTimeout());
        updateInterest();
        receive();
    }

    @Override
    public void clientFailed(ClientGoneException e) {
        if (state == State.RESPONDED) {
            ErrorPages.abort(exchange); // the response was whole, its last bytes could not be sent
        } else {
            failed(e);
        }
    }

    // ---- endings ----

    private void deadlinePassed() {
        switch (state) {
            case CONNECTING -> connectFailed(new BackendTimeoutException(
                    "connect to " + host.describe() + ": timed out"));
            case SENDING -> failed(new BackendTimeoutException(
                    "could not write to " + host.describe() + ": timed out"));
            case RECEIVING -> failed(new BackendTimeoutException(
                    "no data from " + host.describe() + ": timed out"));
            default -> {
                // the try ended meanwhile
            }
        }
    }

    /** Nothing reached the backend: the request goes to its next try. */
    private void handBack() {
        release(false, State.CLOSED);
        nextTry.run();
    }

    private void failed(IOException e) {
        if (ended()) {
            return;
        }
        // A backend that stopped reading and went without a word: its refusal to read is the story.
        IOException cause = writeFailure != null && !responseStarted ? writeFailure : e;
        // What counts as an answer is CGI output: a FastCGI END_REQUEST alone is no response.
        BackendFailure failure = BackendFailure.of(cause, request.bytesWritten() > 0, relay.sawOutput());
        if (failure.triesNextHost()) {
            errorLog.warn("gw-backend", host.describe() + " closed before the request was sent: " + e.getMessage());
            handBack();
            return;
        }
        release(false, State.CLOSED);
        // What the client was sent in part keeps coming to it, then the connection is cut: the
        // bytes a slow client had not taken yet are its response's as much as those it had.
        boolean cutWhenDrained = failure != BackendFailure.CLIENT_GONE && (ticket == null || !ticket.isAborted())
                && exchange.isResponseStarted() && sink.abortWhenDrained();
        if (!cutWhenDrained) {
            sink.abandon();
        }
        GatewayHandler.reportFailure(exchange, relay, failure, cause, errorLog, cutWhenDrained);
    }

    /**
     * The client or a restart ended the exchange first: drop the backend side. Once the response
     * came whole nothing is left here: what the sink keeps for the client goes with the exchange.
     */
    private void abandon() {
        if (!ended()) {
            release(false, State.CLOSED);
            sink.abandon();
            ErrorPages.abort(exchange);
        }
    }

    private boolean ended() {
        return state == State.CLOSED || state == State.RESPONDED;
    }

    /** Gives back the connection and what the try held, and enters {@code end} (CLOSED or RESPONDED). Once only. */
    private void release(boolean reusable, State end) {
        if (ended()) {
            return;
        }
        state = end;
        deadline.cancel();
        lease.release(reusable);
        if (ticket != null) {
            ticket.detach();
        }
        host.leave();
    }


    /** Called by {@link RequestTicket#abort()} from a restart's thread. */
    @Override
    public void close() {
        IoThreads.runOn(ioThread, this::abandon);
    }
}
