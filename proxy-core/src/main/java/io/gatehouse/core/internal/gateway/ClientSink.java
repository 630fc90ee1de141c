package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.gatehouse.core.internal.log.ErrorLog;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSinkChannel;

/**
 * The client side of a proxied response, on its I/O thread.
 *
 * <p>The body pieces of backend reads (a FastCGI record's content each) are gathered and
 * written to the client together: one write, and one chunk of a chunked body, per read rather
 * than per record (PHP writes a record per {@code flush()}). The pieces are views of the caller's
 * read buffer, so the caller keeps that buffer until {@link #readHandled} or
 * {@link #responseEnded} has run, or gives it to the sink; bytes the client cannot take at once
 * are copied.
 *
 * <p>A response is held while it is small and still coming ({@link #HOLD_LIMIT},
 * {@link #HOLD_MILLIS}): the sink keeps the reads its pieces are views of, and one that ends
 * meanwhile (most pages) goes out in one write with a Content-Length instead of chunked, as
 * lighttpd sends it. A page PHP flushes in eight pieces then costs one write and one wake-up of
 * the client rather than several. Past the hold the response streams.
 *
 * <p>Flow control: bytes the client cannot take yet are kept ({@link ClientBacklog}: about one
 * read's worth in memory), the backend side is told to stop reading ({@link Flow#clientBlocked})
 * and to go on once there is room again ({@link Flow#clientDrained}). A client still blocked after
 * {@link #SPOOL_AFTER_MILLIS} is a slow one: from then on what it has not taken goes to a
 * {@link ResponseSpool} file, so that the backend sends its whole response and is free while the
 * client reads, and the backend waits only when the spool takes no more (its write under way has
 * a full queue behind it, the response is past the spool's bound or the server's, or no spool file
 * can be created). A fast client's short waits cost no file writes (spooling every wait cost a
 * 100 MiB download a third more CPU). A response that ended meanwhile ends its exchange when the
 * last kept byte is written.
 *
 * <p>Confined to the I/O thread.
 */
final class ClientSink implements ResponseRelay.ClientWriter {

    /** What the sink tells the backend side. */
    interface Flow {

        /** Nothing more can be kept for the client for now: do not read the backend. */
        void clientBlocked();

        /** There is room again for what the backend sends: read it again. */
        void clientDrained();

        /** Writing to the client failed while kept bytes were flushed. */
        void clientFailed(ClientGoneException e);
    }

    /**
     * Pieces gathered in one read before they are written at once: a hostile backend's thousands of
     * one-byte records in a read go out in writes of this many pieces.
     */
    static final int MAX_GATHERED = 64;

    /** Body bytes held at most while a response keeps coming: lighttpd keeps a response's first 64 KiB in memory. */
    static final int HOLD_LIMIT = 64 * 1024;

    /** How long a held response may go without its end before what is held goes out. */
    static final long HOLD_MILLIS = 5;

    /**
     * How long the backend waits for a blocked client before the response is spooled: far longer
     * than a fast client's waits (well under a millisecond on loopback), far shorter than a PHP
     * worker should be held for a client that reads nothing.
     */
    static final long SPOOL_AFTER_MILLIS = 100;

    private final HttpServerExchange exchange;
    private final Flow flow;
    private final ReadBuffers buffers;
    private final ClientBacklog backlog;
    /** The reads whose buffers held pieces are views of: given back once the pieces are written or kept. */
    private final List<PooledByteBuffer> heldReads = new ArrayList<>();
    private XnioExecutor.Key holdTimer;
    private StreamSinkChannel client;
    /** Body pieces of the read in progress, views of its buffer; {@link #gatheredCount} of them. */
    private ByteBuffer[] gathered = new ByteBuffer[8];
    private int gatheredCount;
    private long gatheredBytes;
    /** True while the response is held: until it ends, outgrows the hold, or the hold's time is up. */
    private boolean holding = true;
    /** Runs out when the backend has waited {@link #SPOOL_AFTER_MILLIS} for the client. */
    private XnioExecutor.Key spoolTimer;
    /** The backend side was told to stop reading and not yet to go on. */
    private boolean backendPaused;
    private boolean endWhenDrained;
    /** The backend failed: once drained, the connection is cut instead of the exchange ended. */
    private boolean cutWhenDrained;
    private boolean abandoned;

    /**
     * @param spoolPlace where a slow client's response is spooled
     */
    ClientSink(HttpServerExchange exchange, Flow flow, ReadBuffers buffers, ResponseSpool.Place spoolPlace,
            ErrorLog errorLog) {
        this.exchange = exchange;
        this.flow = flow;
        this.buffers = buffers;
        this.backlog = new ClientBacklog(exchange, spoolPlace, errorLog, new BacklogListener());
    }

    /** True while the backend must not be read: bytes wait for the client, and no more can be kept. */
    boolean blocked() {
        return waitingForClient() && backlog.isFull();
    }

    /** True while bytes wait for the client: what comes next goes behind them. */
    private boolean waitingForClient() {
        return !backlog.isEmpty();
    }

    /**
     * A read that did not end the response was handled. While the response keeps coming, and is
     * small, its pieces are held on: then true, and {@code read}, whose buffer they are views of,
     * is the sink's until it gives it back to {@link ReadBuffers}. Otherwise what was gathered
     * goes out and holding ends.
     */
    boolean readHandled(PooledByteBuffer read) throws IOException {
        if (holding && gatheredCount == 0) {
            return false; // nothing of this read to keep: holding goes on
        }
        if (holding && gatheredBytes <= HOLD_LIMIT && buffers.tryHold()) {
            heldReads.add(read);
            if (holdTimer == null) {
                holdTimer = exchange.getIoThread().executeAfter(this::holdExpired, HOLD_MILLIS, TimeUnit.MILLISECONDS);
            }
            return true;
        }
        stopHolding();
        writeGathered(false);
        return false;
    }

    /** The backend paused: what is held goes out now, and the rest streams. */
    private void holdExpired() {
        holdTimer = null;
        if (!holding || abandoned) {
            return;
        }
        holding = false;
        try {
            writeGathered(false);
        } catch (IOException e) {
            flow.clientFailed(e instanceof ClientGoneException gone ? gone : new ClientGoneException(e));
        }
    }

    private void stopHolding() {
        holding = false;
        if (holdTimer != null) {
            holdTimer.remove();
            holdTimer = null;
        }
    }

    /**
     * The response ended: what was gathered goes out, with a Content-Length when it is the whole
     * body; the exchange ends once the client has every byte.
     */
    void responseEnded() throws IOException {
        if (holding) {
            stopHolding();
            setContentLength();
        }
        writeGathered(true);
        backendPaused = false; // the backend side is done
        cancelSpoolTimer();
        if (waitingForClient()) {
            endWhenDrained = true;
        } else {
            exchange.endExchange();
        }
    }

    /**
     * The backend failed after part of the response went out: what is kept for the client still
     * goes to it, then its connection is cut ({@link ErrorPages#abort}), as it would have been at
     * once had the client taken every byte in time. False when nothing is kept: the caller cuts now.
     */
    boolean abortWhenDrained() {
        if (abandoned || client == null || !waitingForClient()) {
            return false;
        }
        stopHolding();
        dropGathered();
        cancelSpoolTimer();
        backendPaused = false;
        endWhenDrained = true;
        cutWhenDrained = true;
        return true;
    }

    /** The response failed: nothing more goes to the client from here. */
    void abandon() {
        abandoned = true;
        stopHolding();
        dropGathered();
        cancelSpoolTimer();
        backlog.close();
    }

    /**
     * Forgets the gathered pieces, written or copied by now: they are views of a buffer the caller
     * reuses, or of the reads the sink held, which go back to {@link ReadBuffers}.
     */
    private void dropGathered() {
        Arrays.fill(gathered, 0, gatheredCount, null);
        gatheredCount = 0;
        gatheredBytes = 0;
        for (PooledByteBuffer read : heldReads) {
            buffers.releaseHeld(read);
        }
        heldReads.clear();
    }

    /** The whole body was gathered: says so, unless the backend did or the response has no body. */
    private void setContentLength() {
        HeaderMap headers = exchange.getResponseHeaders();
        if (headers.contains(Headers.CONTENT_LENGTH) || headers.contains(Headers.TRANSFER_ENCODING)
                || !Http10LengthBuffer.mayHaveBody(exchange)) {
            return;
        }
        headers.put(Headers.CONTENT_LENGTH, gatheredBytes);
    }

    /** Takes {@code data} (all of it: its position moves to its limit) as a view, written with the rest of the read. */
    @Override
    public void write(ByteBuffer data) throws IOException {
        if (waitingForClient()) {
            backlog.keep(data); // behind the bytes the client has not taken yet
            pauseBackendIfFull();
            return;
        }
        if (gatheredCount == gathered.length) {
            if (gatheredCount < MAX_GATHERED) {
                gathered = Arrays.copyOf(gathered, gatheredCount * 2);
            } else if (holding) {
                mergeGathered();
            } else {
                writeGathered(false);
                if (waitingForClient()) {
                    backlog.keep(data);
                    pauseBackendIfFull();
                    return;
                }
            }
        }
        gatheredBytes += data.remaining();
        gathered[gatheredCount++] = data.slice();
        data.position(data.limit());
    }

    /** Copies the gathered pieces into one, so that holding the first read goes on. */
    private void mergeGathered() {
        ByteBuffer merged = ByteBuffer.allocate(Math.toIntExact(gatheredBytes));
        for (int i = 0; i < gatheredCount; i++) {
            merged.put(gathered[i]);
            gathered[i] = null;
        }
        gathered[0] = merged.flip();
        gatheredCount = 1;
    }

    /**
     * Writes the gathered pieces in one go; what the client does not take is kept for later. The
     * {@code last} pieces of a chunked body are written as its end, so that the last chunk goes out
     * in the same write rather than in one of its own when the exchange ends.
     */
    private void writeGathered(boolean last) throws IOException {
        if (gatheredCount == 0) {
            return;
        }
        try {
            if (client == null) {
                chunkEvenIfClosing();
                client = exchange.getResponseChannel(); // sends the head with the first body bytes
            }
            if (last && isChunked()) {
                writeEnd();
            } else {
                long left = gatheredBytes;
                long written;
                while (left > 0 && (written = client.write(gathered, 0, gatheredCount)) > 0) {
                    left -= written; // the client takes what its socket buffer holds
                }
            }
        } catch (IOException e) {
            dropGathered();
            throw new ClientGoneException(e);
        }
        for (int i = 0; i < gatheredCount; i++) {
            if (gathered[i].hasRemaining()) {
                backlog.keep(gathered[i]);
            }
        }
        dropGathered();
        if (waitingForClient()) {
            client.getWriteSetter().set(sink -> flush());
            client.resumeWrites();
            pauseBackendIfFull();
        }
    }

    /**
     * Writes the gathered pieces, one read's worth at most, as one buffer with the last chunk:
     * Undertow appends it to the write of a single buffer only. Several pieces are copied into a
     * pooled direct buffer (a heap copy would be zeroed first and copied again by the socket
     * write). Kept bytes carry the last chunk with them.
     */
    private void writeEnd() throws IOException {
        if (gatheredCount == 1) {
            writeFinal(gathered[0]);
            return;
        }
        PooledByteBuffer pooled = buffers.acquire();
        try {
            ByteBuffer end = pooled.getBuffer(); // as large as the read the pieces come from
            for (int i = 0; i < gatheredCount; i++) {
                end.put(gathered[i]);
            }
            dropGathered();
            writeFinal(end.flip());
            if (end.hasRemaining()) {
                backlog.keep(end);
            }
        } finally {
            buffers.release(pooled);
        }
    }

    private void writeFinal(ByteBuffer end) throws IOException {
        while (end.hasRemaining() && client.writeFinal(end) > 0) {
            // as much as the client's socket buffer takes
        }
    }

    private boolean isChunked() {
        return exchange.getResponseHeaders().contains(Headers.TRANSFER_ENCODING);
    }

    /**
     * An HTTP/1.1 body of unknown length is chunked also on a connection that closes after it
     * (a {@code Connection: close} request, the last of {@code server.max-keep-alive-requests}), as
     * lighttpd and nginx send it: Undertow would end it with the close instead, and a client could
     * not tell a whole response from one a failing backend cut short.
     */
    private void chunkEvenIfClosing() {
        HeaderMap headers = exchange.getResponseHeaders();
        if (!exchange.isPersistent() && exchange.isHttp11() && !headers.contains(Headers.CONTENT_LENGTH)
                && !headers.contains(Headers.TRANSFER_ENCODING) && Http10LengthBuffer.mayHaveBody(exchange)) {
            headers.put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
        }
    }

    /** Tells the backend side to stop reading, once, when nothing more can be kept. */
    private void pauseBackendIfFull() {
        if (!backendPaused && !endWhenDrained && blocked()) {
            backendPaused = true;
            flow.clientBlocked();
            if (backlog.maySpool()) {
                spoolTimer = exchange.getIoThread().executeAfter(this::engageSpool, SPOOL_AFTER_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Tells the backend side to go on once there is room again. */
    private void resumeBackendIfRoom() {
        if (backendPaused && !endWhenDrained && !blocked()) {
            backendPaused = false;
            cancelSpoolTimer();
            flow.clientDrained();
        }
    }

    /** The backend has waited {@link #SPOOL_AFTER_MILLIS} for the client: from now on it goes on into the spool. */
    private void engageSpool() {
        spoolTimer = null;
        if (abandoned || !backendPaused) {
            return;
        }
        backlog.spoolFromNow();
        resumeBackendIfRoom();
    }

    private void cancelSpoolTimer() {
        if (spoolTimer != null) {
            spoolTimer.remove();
            spoolTimer = null;
        }
    }

    /** The client takes bytes again: what was kept goes out, memory first, then the spool file. */
    private void flush() {
        if (abandoned) {
            return;
        }
        try {
            backlog.sendTo(client);
        } catch (IOException e) {
            flow.clientFailed(new ClientGoneException(e));
            return;
        }
        if (waitingForClient()) {
            if (!backlog.hasSendable()) {
                client.suspendWrites(); // the rest is still being written to the file: spooled() resumes
            }
            resumeBackendIfRoom();
            return;
        }
        client.suspendWrites();
        if (cutWhenDrained) {
            ErrorPages.abort(exchange);
        } else if (endWhenDrained) {
            exchange.endExchange();
        } else {
            resumeBackendIfRoom();
        }
    }

    /** What the spool file's writes mean for the client and the backend side. */
    private final class BacklogListener implements ClientBacklog.Listener {

        @Override
        public void spooled() {
            if (backlog.hasSendable()) {
                client.resumeWrites();
            }
            resumeBackendIfRoom();
        }

        @Override
        public void spoolUnavailable() {
            pauseBackendIfFull();
        }

        @Override
        public void spoolFailed(ClientGoneException e) {
            flow.clientFailed(e);
        }
    }
}
