package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import io.gatehouse.core.internal.cgi.BadRequestException;
import io.gatehouse.core.internal.log.ErrorLog;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSourceChannel;

/**
 * Reads a request body whole on the client connection's I/O thread, as readiness events arrive,
 * before the backend is contacted: small bodies into memory, larger ones into an
 * unlinked spool file in {@code server.upload-dirs}, bounded by {@code server.max-request-size}.
 * A client that sends its body one byte every few seconds then costs a connection and a few KiB,
 * never a thread, so no number of slow clients can keep other uploads waiting (lighttpd also
 * reads the whole body before it contacts a backend, by default). A client that stops sending
 * altogether is cut by {@code server.max-read-idle}.
 *
 * <p>Confined to the exchange's I/O thread until it hands the body over, except the spool file's
 * creation and writes: they run on a worker thread (a file write may block), one piece at a time,
 * while the I/O thread reads the next piece; reading pauses only when that one is full before the
 * write is done. A piece goes to the worker when it is full, or when the client has nothing more
 * for now and the worker is idle, so pieces grow with the rate the body arrives at, and a body
 * that trickles in is not held in memory.
 */
public final class BodyCollector implements ChannelListener<StreamSourceChannel> {

    /**
     * Bodies up to this size stay in memory. Kept small: every connection may hold one while its
     * body trickles in, and {@code server.max-connections} of them must fit the heap beside the rest.
     */
    static final int IN_MEMORY_LIMIT = 16 * 1024;

    private static final int INITIAL_MEMORY = 4096;

    private static final AttachmentKey<RequestBody> COLLECTED = AttachmentKey.create(RequestBody.class);

    private final HttpServerExchange exchange;
    private final long maxBytes;
    private final List<Path> uploadDirs;
    private final ErrorLog errorLog;
    private final Runnable whenCollected;
    private final ReadBuffers buffers;
    private byte[] memory;
    private FileChannel spool;
    private long total;
    private StrictChunkedSource chunked;
    /** Past {@link #IN_MEMORY_LIMIT}: the body goes to a spool file, written by a worker thread. */
    private boolean spooling;
    /** Of {@link #memory}, what was read before spooling began: the spool file's first bytes. */
    private int heldInMemory;
    /** While spooling: the piece being read into ({@link ReadBuffers#acquireSpoolPiece}); null between reads. */
    private PooledByteBuffer filling;
    /** The worker is writing a piece. */
    private boolean writing;
    /** The client has sent the whole body: what is left is writing the pieces and handing it over. */
    private boolean bodyRead;
    /**
     * Cut short by a restart or a stop ({@link RequestTicket#abort()}), or answered already (too
     * large, client gone): nothing more is read or written.
     */
    private boolean aborted;

    private BodyCollector(HttpServerExchange exchange, long maxBytes, List<Path> uploadDirs, ErrorLog errorLog,
            ReadBuffers buffers, Runnable whenCollected) {
        this.exchange = exchange;
        this.maxBytes = maxBytes;
        this.uploadDirs = uploadDirs;
        this.errorLog = errorLog;
        this.whenCollected = whenCollected;
        this.buffers = buffers;
        long declared = exchange.getRequestContentLength();
        // Grown as bytes arrive: a client that announces a body and sends nothing holds little.
        this.memory = new byte[(int) Math.min(INITIAL_MEMORY, declared > 0 ? declared : INITIAL_MEMORY)];
    }

    /** Whether {@code exchange} has a body to collect: a Content-Length above 0, or chunked. */
    public static boolean hasBody(HttpServerExchange exchange) {
        return exchange.getRequestContentLength() > 0 || exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
    }

    /**
     * Starts collecting the body of {@code exchange}; call on its I/O thread inside the root
     * handler. {@code whenCollected} runs on the I/O thread once the body is whole (outside the
     * handler call, so it may dispatch the exchange); a body that fails (too large, client gone,
     * no upload dir) is answered here instead and {@code whenCollected} never runs.
     */
    public static void start(HttpServerExchange exchange, long maxBytes, List<Path> uploadDirs, ErrorLog errorLog,
            ReadBuffers buffers, Runnable whenCollected) {
        BodyCollector collector = new BodyCollector(exchange, maxBytes, uploadDirs, errorLog, buffers, whenCollected);
        RequestTicket ticket = exchange.getAttachment(RequestTicket.KEY);
        if (ticket != null) {
            // A restart that cuts the request closes its connection, which no read will tell:
            // the spool file goes with the abort, not with an exchange that will never end.
            ticket.attach(() -> exchange.getIoThread().execute(collector::abort));
        }
        // Undertow ends an exchange whose handler returns undispatched; this one lives until the body is read.
        exchange.dispatch(SameThreadExecutor.INSTANCE, collector::readFirst);
    }

    /** On the I/O thread, after the ticket closed the client connection. */
    private void abort() {
        if (exchange.getAttachment(COLLECTED) == null) {
            discardSpool();
        }
    }

    /** The body collected for {@code exchange}; null when none was. It is closed when the exchange ends. */
    static RequestBody peek(HttpServerExchange exchange) {
        return exchange.getAttachment(COLLECTED);
    }

    private void readFirst() {
        try {
            checkLimit(exchange.getRequestContentLength(), maxBytes);
        } catch (BadRequestException e) {
            refuse(e);
            return;
        }
        StreamSourceChannel channel = exchange.getRequestChannel();
        channel.getReadSetter().set(this);
        if (exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)) {
            chunked = StrictChunkedSource.open(exchange);
            if (chunked != null && HttpContinue.requiresContinueResponse(exchange)) {
                // Read under Undertow's channel, whose first read would have sent it.
                HttpContinue.sendContinueResponse(exchange, new IoCallback() {
                    @Override
                    public void onComplete(HttpServerExchange ex, Sender sender) {
                        handleEvent(channel);
                    }

                    @Override
                    public void onException(HttpServerExchange ex, Sender sender, IOException e) {
                        ErrorPages.abort(ex);
                    }
                });
                return;
            }
        }
        handleEvent(channel);
    }

    @Override
    public void handleEvent(StreamSourceChannel channel) {
        if (aborted) {
            channel.suspendReads();
            return;
        }
        try {
            if (spooling) {
                spoolMore(channel);
            } else {
                readIntoMemory(channel);
            }
        } catch (BadRequestException e) {
            channel.suspendReads();
            refuse(e);
        } catch (IOException e) {
            // The client went away or broke the framing mid-body: nobody is left to answer.
            channel.suspendReads();
            discardSpool();
            exchange.setPersistent(false);
            ErrorPages.send(exchange, 400);
        }
    }

    private void readIntoMemory(StreamSourceChannel channel) throws IOException {
        try (PooledByteBuffer pooled = exchange.getConnection().getByteBufferPool().allocate()) {
            ByteBuffer buffer = pooled.getBuffer();
            while (true) {
                buffer.clear();
                int n = read(channel, buffer);
                if (n == 0) {
                    channel.resumeReads();
                    return;
                }
                if (n < 0) {
                    channel.suspendReads();
                    finish();
                    return;
                }
                buffer.flip();
                total += n;
                checkLimit(total, maxBytes);
                if (total > IN_MEMORY_LIMIT) {
                    break;
                }
                keepInMemory(buffer);
            }
            // Too large for memory: what is held becomes the spool file's start, this read its first piece.
            spooling = true;
            heldInMemory = (int) (total - buffer.remaining());
            filling = buffers.acquireSpoolPiece();
            filling.getBuffer().put(buffer);
        }
        spoolMore(channel);
    }

    /**
     * Reads the client into the piece being filled and hands it to the worker when it is full, or
     * when the client has nothing more for now and the worker is idle; when the worker still has
     * the last one, a full piece waits for it ({@link #written}).
     */
    private void spoolMore(StreamSourceChannel channel) throws IOException {
        while (!bodyRead) {
            if (filling == null) {
                filling = buffers.acquireSpoolPiece();
            }
            ByteBuffer piece = filling.getBuffer();
            if (!piece.hasRemaining()) {
                if (writing) {
                    channel.suspendReads();
                    return;
                }
                writeOffThread(channel);
                continue;
            }
            int n = read(channel, piece);
            if (n == 0) {
                if (!writing && worthWritingNow(piece)) {
                    writeOffThreadOrRelease(channel);
                }
                channel.resumeReads();
                return;
            }
            if (n < 0) {
                channel.suspendReads();
                bodyRead = true;
            } else {
                total += n;
                checkLimit(total, maxBytes);
            }
        }
        if (writing) {
            return; // the write in progress comes back here
        }
        if (!writeOffThreadOrRelease(channel)) {
            finish();
        }
    }

    /**
     * Whether a piece goes to the idle worker although not full, now that the client has nothing
     * more for the moment: when half full (a body arriving fast fills the other half while the
     * worker writes this one), or when it holds little, as from a client that sends slowly or has
     * stopped, whose bytes belong on disk rather than in a large piece held until it sends more.
     */
    private static boolean worthWritingNow(ByteBuffer piece) {
        return piece.position() >= piece.capacity() / 2 || piece.position() < ReadBuffers.SMALL_SPOOL_PIECE_SIZE;
    }

    /** Gives the worker what the piece being filled holds; an empty one goes back. False when it was empty. */
    private boolean writeOffThreadOrRelease(StreamSourceChannel channel) throws IOException {
        if (filling != null && filling.getBuffer().position() > 0) {
            writeOffThread(channel);
            return true;
        }
        releaseFilling();
        return false;
    }

    private void releaseFilling() {
        if (filling != null) {
            filling.close();
            filling = null;
        }
    }

    /** The channel tells when bytes arrive; a chunked body is decoded under it, strictly. */
    private int read(StreamSourceChannel channel, ByteBuffer into) throws IOException {
        return chunked != null ? chunked.read(into) : channel.read(into);
    }

    private void keepInMemory(ByteBuffer bytes) {
        int at = (int) total - bytes.remaining();
        if (memory.length < total) {
            memory = Arrays.copyOf(memory, (int) Math.min(IN_MEMORY_LIMIT, Math.max(total, memory.length * 2L)));
        }
        bytes.get(memory, at, bytes.remaining());
    }

    /**
     * Writes the piece being filled (and, first of all, creates the spool file and writes the
     * bytes held in memory) on a worker thread: a file write may block, an I/O thread must not.
     * The I/O thread reads into a next piece meanwhile. The worker is given all it writes and
     * touches none of this collector's fields: a client may leave meanwhile, handled on the I/O
     * thread, which learns of a file the worker has just created only in {@link #written}.
     */
    private void writeOffThread(StreamSourceChannel channel) throws IOException {
        PooledByteBuffer piece = filling;
        filling = null;
        writing = true;
        ByteBuffer bytes = piece.getBuffer().flip();
        FileChannel file = spool;
        ByteBuffer held = file == null ? ByteBuffer.wrap(memory, 0, heldInMemory) : null;
        memory = null;
        XnioIoThread ioThread = exchange.getIoThread();
        Runnable write = () -> {
            FileChannel target = file;
            IOException failure = null;
            try {
                if (target == null) {
                    target = openUnlinked(uploadDirs);
                    writeFully(target, held);
                }
                writeFully(target, bytes);
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException(e.toString(), e);
            }
            FileChannel opened = target;
            IOException failed = failure;
            ioThread.execute(() -> written(channel, piece, opened, failed));
        };
        try {
            exchange.getConnection().getWorker().execute(write);
        } catch (RejectedExecutionException stopping) {
            writing = false;
            piece.close();
            throw new IOException("the server is stopping", stopping);
        }
    }

    /** On the I/O thread, when the worker is done with {@code piece}; {@code file} is the spool file, if there is one now. */
    private void written(StreamSourceChannel channel, PooledByteBuffer piece, FileChannel file, IOException failure) {
        writing = false;
        piece.close();
        if (file != null) {
            spool = file;
        }
        if (aborted) {
            closeSpool(); // left open for this write by the abort, or created by it after the abort
        } else if (failure != null) {
            channel.suspendReads();
            spoolFailed(failure);
        } else {
            handleEvent(channel);
        }
    }

    private static void writeFully(FileChannel file, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            file.write(bytes);
        }
    }

    /** The spool file could not be created or written (no upload dir, disk full): our failure, not the client's. */
    private void spoolFailed(IOException e) {
        if (e instanceof BadRequestException refused) {
            refuse(refused);
            return;
        }
        discardSpool();
        errorLog.error("gateway", "writing the request body of " + exchange.getRequestURI() + " to its spool file"
                + " failed: " + e.getMessage());
        exchange.setPersistent(false);
        ErrorPages.send(exchange, 500);
    }

    private void finish() throws IOException {
        RequestTicket ticket = exchange.getAttachment(RequestTicket.KEY);
        if (ticket != null) {
            ticket.detach(); // the backend call attaches its connection next
        }
        RequestBody body = spool == null ? RequestBody.inMemory(memory, (int) total) : RequestBody.spooled(spool, total);
        exchange.putAttachment(COLLECTED, body);
        // However the exchange ends, the spool file is closed with it.
        exchange.addExchangeCompleteListener((ex, next) -> {
            IoUtils.safeClose(ex.removeAttachment(COLLECTED));
            next.proceed();
        });
        whenCollected.run();
    }

    private void refuse(BadRequestException e) {
        discardSpool();
        errorLog.warn("gateway", e.getMessage() + " for " + exchange.getRequestURI());
        // Refused before its body was read: where the next request would start is unknown.
        exchange.setPersistent(false);
        ErrorPages.send(exchange, e.status());
    }

    /**
     * Answered without the body. A write in progress keeps the file until it is done and then
     * closes it ({@link #written}): closing a file under a write waits for the write, and this
     * thread must not wait for a disk.
     */
    private void discardSpool() {
        aborted = true;
        if (!writing) {
            closeSpool();
        }
        releaseFilling();
    }

    private void closeSpool() {
        IoUtils.safeClose(spool);
        spool = null;
    }

    private static void checkLimit(long size, long maxBytes) throws BadRequestException {
        if (maxBytes > 0 && size > maxBytes) {
            throw new BadRequestException(413, "request body of " + size
                    + " bytes is over server.max-request-size (" + maxBytes + " bytes)");
        }
    }

    /** A new spool file, already unlinked: see {@link SpoolFiles}. */
    private static FileChannel openUnlinked(List<Path> dirs) throws BadRequestException {
        try {
            return SpoolFiles.openUnlinked(dirs, "gatehouse-body-");
        } catch (IOException e) {
            throw new BadRequestException(500, "GH-UPLOAD-001 no server.upload-dirs entry takes a spool file for a"
                    + " request body (" + e.getMessage() + "): create one gatehouse can write to");
        }
    }
}
