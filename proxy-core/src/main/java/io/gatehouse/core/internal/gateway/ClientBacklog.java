package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.gatehouse.core.internal.backend.IoThreads;
import io.gatehouse.core.internal.log.ErrorLog;
import io.undertow.server.HttpServerExchange;
import org.xnio.channels.StreamSinkChannel;

/**
 * The response bytes a client has not taken yet, in the order they came: in memory up to a read's
 * worth, and, once the client was found slow ({@link #spoolFromNow}), the rest in a
 * {@link ResponseSpool} file, so that the backend sends its whole response and is free while the
 * client reads at its own pace. {@link ClientSink} decides when to keep bytes here and when the
 * backend must wait; this class keeps them and sends them on.
 *
 * <p>Confined to the I/O thread.
 */
final class ClientBacklog {

    /** What the spool file's writes mean for the sink; never told once the backlog is closed. */
    interface Listener {

        /** A piece was written: there may be more to send, and the spool may take more. */
        void spooled();

        /** No spool file could be created: every byte is in memory now, and no more is spooled. */
        void spoolUnavailable();

        /** A write failed: bytes of the response are lost. */
        void spoolFailed(ClientGoneException e);
    }

    private final HttpServerExchange exchange;
    private final ResponseSpool.Place spoolPlace;
    private final ErrorLog errorLog;
    private final Listener listener;
    /** Bytes the client could not take yet, before those in {@link #spool}. */
    private ByteBuffer pending;
    /** Where the bytes go once {@link #pending} holds a read's worth; made when first needed. */
    private ResponseSpool spool;
    /** The client was found slow: what it has not taken may go to the spool. */
    private boolean spoolEngaged;
    /** No spool file could be created: the backend waits for the client. */
    private boolean spoolUnavailable;
    private boolean closed;

    ClientBacklog(HttpServerExchange exchange, ResponseSpool.Place spoolPlace, ErrorLog errorLog, Listener listener) {
        this.exchange = exchange;
        this.spoolPlace = spoolPlace;
        this.errorLog = errorLog;
        this.listener = listener;
    }

    /** True when the client has every byte kept for it. */
    boolean isEmpty() {
        return pendingBytes() == 0 && (spool == null || spool.isEmpty());
    }

    /** True while no more can be kept without the client taking some first. */
    boolean isFull() {
        return !spoolEngaged || spoolUnavailable || !spoolTakesMore();
    }

    /** Whether a spool may still be engaged: not yet, and a file may still be made. */
    boolean maySpool() {
        return !spoolEngaged && !spoolUnavailable;
    }

    /** The client is a slow one: what it does not take goes to the spool file from now on. */
    void spoolFromNow() {
        spoolEngaged = true;
    }

    /** True when bytes can be sent now: some are in memory, or written to the file already. */
    boolean hasSendable() {
        return pendingBytes() > 0 || spool != null && spool.hasSendable();
    }

    /** Keeps all of {@code data} (its position moves to its limit) behind what is kept already. */
    void keep(ByteBuffer data) {
        boolean spooling = spool != null && !spool.isEmpty();
        if (spooling || spoolEngaged && !spoolUnavailable && pendingBytes() >= ReadBuffers.BUFFER_SIZE) {
            spool().append(data);
        } else {
            pending = append(pending, data, ReadBuffers.BUFFER_SIZE);
        }
    }

    /** Sends what is kept as far as {@code client} takes it: memory first, then the spool file. */
    void sendTo(StreamSinkChannel client) throws IOException {
        if (pendingBytes() > 0) {
            pending.flip();
            while (pending.hasRemaining() && client.write(pending) > 0) {
                // as much as the client's socket buffer takes
            }
            pending.compact();
        }
        if (pendingBytes() == 0 && spool != null) {
            spool.sendTo(client);
        }
    }

    /** The response failed: its spool file is closed, and the listener told nothing more. */
    void close() {
        closed = true;
        if (spool != null) {
            spool.close();
        }
    }

    /**
     * {@code buffer} with {@code data} appended: a new one of at least {@code firstCapacity} when
     * {@code buffer} is null, a copy twice as large (or as large as needed) when it lacks room, so
     * that a backend's thousands of one-byte records cost no more than one copy each.
     */
    static ByteBuffer append(ByteBuffer buffer, ByteBuffer data, int firstCapacity) {
        if (buffer == null) {
            buffer = ByteBuffer.allocate(Math.max(firstCapacity, data.remaining()));
        } else if (buffer.remaining() < data.remaining()) {
            int capacity = Math.max(2 * buffer.capacity(), buffer.position() + data.remaining());
            buffer = ByteBuffer.allocate(capacity).put(buffer.flip());
        }
        return buffer.put(data);
    }

    private int pendingBytes() {
        return pending == null ? 0 : pending.position();
    }

    private boolean spoolTakesMore() {
        return spool == null ? spoolPlace.budget().hasRoom() : spool.takesMore();
    }

    private ResponseSpool spool() {
        if (spool == null) {
            ResponseSpool made = new ResponseSpool(spoolPlace, exchange.getConnection().getWorker(),
                    exchange.getIoThread(), new SpoolListener());
            spool = made;
            // However the exchange ends, the file is closed with it.
            exchange.addExchangeCompleteListener((ex, next) -> {
                IoThreads.runOn(ex.getIoThread(), made::close);
                next.proceed();
            });
        }
        return spool;
    }

    private final class SpoolListener implements ResponseSpool.Listener {

        @Override
        public void spooled() {
            if (!closed) {
                listener.spooled();
            }
        }

        @Override
        public void unavailable(ByteBuffer unwritten, IOException why) {
            spool = null;
            spoolUnavailable = true;
            if (closed) {
                return;
            }
            errorLog.warn("gateway", "GH-UPLOAD-002 no server.upload-dirs entry takes a spool file for the response to "
                    + exchange.getRequestURI() + " (" + why.getMessage() + "): its backend waits for the client"
                    + " to read it; create a directory gatehouse can write to");
            pending = append(pending, unwritten, unwritten.remaining());
            listener.spoolUnavailable();
        }

        @Override
        public void failed(IOException why) {
            if (closed) {
                return;
            }
            errorLog.error("gateway", "writing the response to " + exchange.getRequestURI() + " to its spool file"
                    + " failed: " + why.getMessage());
            listener.spoolFailed(new ClientGoneException(why));
        }
    }
}
