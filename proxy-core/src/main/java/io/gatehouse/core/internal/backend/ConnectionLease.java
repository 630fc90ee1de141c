package io.gatehouse.core.internal.backend;

import java.io.IOException;
import java.nio.channels.SocketChannel;

import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.nio.ForeignChannels;

/**
 * The backend connection one try of a request holds, and what it owes its host's pool: a new
 * connection of its own (no pool), or, for a host with {@link KeptConnections}, an idle kept
 * connection or a slot for a new one, granted at once or when one comes free. Given back whole by
 * {@link #release}: the connection parked or closed, the slot passed on, the new-connection
 * count undone.
 *
 * <p>Confined to the request's I/O thread; the pool's grants, which may come from any thread,
 * are moved onto it.
 */
public final class ConnectionLease implements KeptConnections.Waiter {

    /** The try the lease serves. Called on the I/O thread. */
    public interface Holder extends ForeignChannels.ReadyHandler {

        /** False once the try has ended: a grant arriving then is given back. */
        boolean wantsConnection();

        /** An idle kept connection is in place ({@link #reused()}), or a slot for a new one: {@link #openNew()}. */
        void granted();

        /** A kept connection could not be taken over. */
        void grantFailed(IOException e);
    }

    private final BackendHost host;
    private final XnioIoThread ioThread;
    private final Holder holder;
    /** The host's kept connections, or null: then each try opens and closes its own. */
    private final KeptConnections pool;
    private SocketChannel channel;
    private ForeignChannels.Registration registration;
    /** With a pool: the connection in use, or null before one is granted. */
    private KeptConnection kept;
    private boolean queued;
    /** A slot in the pool for a new connection, not yet given back. */
    private boolean slotHeld;
    private boolean reused;
    /** Counted by a pool without a limit as a new connection that may wait for a worker. */
    private boolean countedAsNew;
    private boolean released;

    public ConnectionLease(BackendHost host, XnioIoThread ioThread, Holder holder) {
        this.host = host;
        this.ioThread = ioThread;
        this.holder = holder;
        this.pool = host.kept();
    }

    /** Asks for a connection; {@link Holder#granted} follows, now or later. */
    public void request() {
        if (pool == null) {
            holder.granted();
            return;
        }
        queued = true;
        pool.acquire(this);
    }

    /** The pool grants an idle connection; called on any thread. */
    @Override
    public void reuse(KeptConnection connection) {
        IoThreads.runOn(ioThread, () -> {
            queued = false;
            if (!holder.wantsConnection()) {
                pool.release(connection, true, ioThread); // the client left while the request waited
                return;
            }
            kept = connection;
            channel = connection.channel();
            reused = true;
            try {
                registration = connection.attach(ioThread, holder);
            } catch (IOException e) {
                holder.grantFailed(e);
                return;
            }
            holder.granted();
        });
    }

    /** The pool grants a slot for a new connection; called on any thread. */
    @Override
    public void connectNew() {
        IoThreads.runOn(ioThread, () -> {
            queued = false;
            slotHeld = true;
            if (!holder.wantsConnection()) {
                pool.release(null, false, ioThread);
                slotHeld = false;
                return;
            }
            holder.granted();
        });
    }

    /**
     * Opens a new non-blocking connection and starts connecting it.
     *
     * @return true when it connected at once (a unix socket does), false when the connect is
     *         under way: readiness for OP_CONNECT follows
     */
    public boolean openNew() throws IOException {
        if (pool != null && !pool.limited() && !countedAsNew) {
            countedAsNew = true;
            pool.newConnectionOpening();
        }
        channel = host.openChannel();
        channel.configureBlocking(false);
        if (pool == null) {
            registration = ForeignChannels.register(ioThread, channel, holder);
        } else {
            kept = new KeptConnection(channel);
            registration = kept.attach(ioThread, holder);
        }
        return channel.connect(host.address());
    }

    /** True when the connection is a kept one, reused. */
    public boolean reused() {
        return reused;
    }

    public SocketChannel channel() {
        return channel;
    }

    /** Which readiness events the try wants ({@link java.nio.channels.SelectionKey} bits). */
    public void interest(int ops) {
        registration.interest(ops);
    }

    /** Closes the reused connection; its pool slot stays held for a new one. */
    public void dropReused() {
        reused = false;
        kept.detach();
        kept.close();
        kept = null;
        slotHeld = true;
    }

    /** Drops a connection that failed to connect; its pool slot stays held for the next attempt. */
    public void dropFailedConnect() {
        IoUtils.safeClose(channel); // never connected: nothing to recover
        kept = null;
    }

    /** The backend answered: a worker has the connection, it waits for none any more. */
    public void backendAnswered() {
        if (countedAsNew) {
            countedAsNew = false;
            pool.newConnectionAnswered();
        }
    }

    /**
     * Gives back what the try held: the connection goes back to the pool when {@code reusable}
     * (the response ended cleanly with FCGI_KEEP_CONN), else is closed. Idempotent.
     */
    public void release(boolean reusable) {
        if (released) {
            return;
        }
        released = true;
        backendAnswered();
        if (kept != null) {
            kept.detach();
            pool.release(kept, reusable, ioThread);
        } else {
            IoUtils.safeClose(channel); // a backend socket we are done with: nothing to recover
            if (queued) {
                // Not granted yet, or a grant is on its way: then its task finds the try ended and gives it back.
                pool.cancel(this);
            } else if (slotHeld) {
                pool.release(null, false, ioThread);
            }
        }
    }

}
