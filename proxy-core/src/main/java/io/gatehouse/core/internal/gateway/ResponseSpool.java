package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;

/**
 * Response bytes a slow client has not taken yet, past what {@link ClientSink} keeps in memory:
 * appended to an unlinked file in {@code server.upload-dirs} ({@link SpoolFiles}), so that the
 * backend sends its whole response and is free for the next request while the client reads at
 * its own pace. Without it a client that read slowly, or not at all, held its backend connection,
 * and the backend's worker, until {@code server.max-write-idle}: four such clients kept the four
 * workers of a PHP pool for six minutes. lighttpd keeps a response whole as well (in memory, then
 * in temporary files in {@code server.upload-dirs}), nginx in temporary files up to 1 GiB.
 *
 * <p>Bounded: at most {@link #MAX_BYTES} of one response, and what the server's {@link SpoolBudget}
 * leaves, past which the backend is read only as fast as the client takes the bytes, as without a
 * spool; in memory, the bytes queued for the next write ({@link #QUEUE_LIMIT}, and at most one more
 * append) and the piece being written.
 *
 * <p>The file is created and written on a worker thread, one piece at a time (a file write may
 * block, an I/O thread must not); the bytes are sent from it on the I/O thread with
 * {@code transferFrom}, from the page cache where they were just written, as static files are
 * sent. Confined to the I/O thread, but for the writes, which touch only the file and the piece
 * handed to them.
 */
final class ResponseSpool {

    /** What the spool tells its sink, on the I/O thread. */
    interface Listener {

        /** A piece was written: there is more to send, and the spool may take more. */
        void spooled();

        /**
         * No spool file could be created: {@code unwritten} holds every byte appended, in order,
         * and the spool takes no more.
         */
        void unavailable(ByteBuffer unwritten, IOException why);

        /** A write failed: bytes of the response are lost. */
        void failed(IOException why);
    }

    /**
     * Where responses are spooled: a generation's {@code server.upload-dirs}, and the bound the
     * server's spool files keep to together.
     */
    record Place(List<Path> dirs, SpoolBudget budget) {
    }

    /** A response's bytes kept at most: more than most pages and downloads, and a bound on a slow client's disk. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    /** Bytes queued for the next write before the backend waits for the one under way. */
    static final int QUEUE_LIMIT = 64 * 1024;

    private final List<Path> dirs;
    private final SpoolBudget budget;
    private final Executor worker;
    private final XnioIoThread ioThread;
    private final Listener listener;
    private FileChannel file;
    /** Appended and not yet handed to the worker; null when none. */
    private ByteBuffer queued;
    private boolean writing;
    private long appended;
    private long written;
    private long sent;
    private boolean unavailable;
    private boolean closed;

    ResponseSpool(Place place, Executor worker, XnioIoThread ioThread, Listener listener) {
        this.dirs = place.dirs();
        this.budget = place.budget();
        this.worker = worker;
        this.ioThread = ioThread;
        this.listener = listener;
    }

    /** Whether it takes another append without the backend waiting first. */
    boolean takesMore() {
        return !unavailable && !closed && appended < MAX_BYTES && budget.hasRoom()
                && (queued == null || queued.position() < QUEUE_LIMIT);
    }

    /** Whether every byte appended has been sent. */
    boolean isEmpty() {
        return sent == appended;
    }

    /** Whether the file holds bytes not sent yet. */
    boolean hasSendable() {
        return sent < written;
    }

    /** Takes all of {@code data} (its position moves to its limit), after what was appended before. */
    void append(ByteBuffer data) {
        appended += data.remaining();
        budget.add(data.remaining());
        queued = ClientBacklog.append(queued, data, Math.max(data.remaining(), ReadBuffers.BUFFER_SIZE));
        if (!writing) {
            writeQueued();
        }
    }

    /** Sends what the file holds, as far as the client takes it; the rest waits for the client's next turn. */
    void sendTo(StreamSinkChannel client) throws IOException {
        while (sent < written) {
            long n = client.transferFrom(file, sent, written - sent);
            if (n <= 0) {
                return;
            }
            sent += n;
        }
    }

    /**
     * Closes the file, now or, when a write is under way, once it is done: closing a file under a
     * write waits for the write, and this thread must not wait for a disk.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        budget.remove(appended);
        queued = null;
        if (!writing) {
            IoUtils.safeClose(file);
        }
    }

    private void writeQueued() {
        ByteBuffer piece = queued.flip();
        queued = null;
        writing = true;
        FileChannel known = file;
        Runnable write = () -> {
            FileChannel target = known;
            IOException openFailure = null;
            IOException writeFailure = null;
            try {
                if (target == null) {
                    target = SpoolFiles.openUnlinked(dirs, "gatehouse-response-");
                }
            } catch (IOException | RuntimeException e) {
                openFailure = e instanceof IOException io ? io : new IOException(e.toString(), e);
            }
            if (target != null) {
                try {
                    while (piece.hasRemaining()) {
                        target.write(piece);
                    }
                } catch (IOException | RuntimeException e) {
                    writeFailure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                }
            }
            FileChannel opened = target;
            IOException failedOpen = openFailure;
            IOException failedWrite = writeFailure;
            ioThread.execute(() -> pieceWritten(piece, opened, failedOpen, failedWrite));
        };
        try {
            worker.execute(write);
        } catch (RejectedExecutionException stopping) {
            writing = false;
            unavailable = true;
            listener.failed(new IOException("the server is stopping", stopping));
        }
    }

    private void pieceWritten(ByteBuffer piece, FileChannel opened, IOException openFailure, IOException writeFailure) {
        writing = false;
        file = opened;
        if (closed) {
            IoUtils.safeClose(file); // closed while this piece was written
            return;
        }
        if (openFailure != null) {
            unavailable = true;
            ByteBuffer unwritten = ByteBuffer.allocate(piece.limit() + (queued == null ? 0 : queued.position()));
            unwritten.put(piece.rewind());
            if (queued != null) {
                unwritten.put(queued.flip());
                queued = null;
            }
            unwritten.flip();
            budget.remove(appended);
            appended = 0;
            listener.unavailable(unwritten, openFailure);
            return;
        }
        if (writeFailure != null) {
            unavailable = true;
            listener.failed(writeFailure);
            return;
        }
        written += piece.limit();
        if (queued != null) {
            writeQueued();
        }
        listener.spooled();
    }
}
