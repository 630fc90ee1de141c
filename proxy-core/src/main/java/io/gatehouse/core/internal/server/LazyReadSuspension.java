package io.gatehouse.core.internal.server;

import org.xnio.StreamConnection;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Keeps a client socket registered for reads while the layers above have its reads suspended,
 * until the socket actually becomes readable.
 *
 * <p>Why: Undertow suspends reads on a connection while its request runs and resumes them when
 * the response is done. The JDK's epoll selector removes a socket whose interest drops to none
 * from epoll and adds it back on resume: two {@code epoll_ctl} calls per request for nothing, as
 * a client normally sends nothing while it waits. Here a suspension only takes effect below when
 * the socket turns readable meanwhile (a pipelined request, the client's close); until then a
 * resume finds the registration still in place. The layers above see the suspension they asked
 * for: a read-ready call that comes while they are suspended stops here (one already on its way
 * when another thread suspends still reaches them, as with XNIO's own suspension).
 *
 * <p>Suspending and resuming may come from any thread (Undertow's dispatch); the read-ready call
 * comes on the connection's I/O thread.
 */
final class LazyReadSuspension extends AbstractStreamSourceConduit<StreamSourceConduit> {
    /** What the layers above asked for. */
    private volatile boolean suspended;

    private LazyReadSuspension(StreamSourceConduit next) {
        super(next);
    }

    /**
     * Puts the lazy suspension under whatever reads {@code connection} from now on. Called before
     * any other layer is put on the connection: the channel gave its read-ready handler to the
     * socket's conduit when it was made, and that handler goes through this one now (a layer put
     * on later sets its own through this one).
     */
    static void install(StreamConnection connection) {
        ConduitStreamSourceChannel channel = connection.getSourceChannel();
        LazyReadSuspension lazy = new LazyReadSuspension(channel.getConduit());
        channel.setConduit(lazy);
        lazy.setReadReadyHandler(new ReadReadyHandler.ChannelListenerHandler<>(channel));
    }

    @Override
    public void suspendReads() {
        suspended = true;
    }

    @Override
    public void resumeReads() {
        suspended = false;
        next.resumeReads();
    }

    @Override
    public void wakeupReads() {
        suspended = false;
        next.wakeupReads();
    }

    @Override
    public boolean isReadResumed() {
        return !suspended && next.isReadResumed();
    }

    @Override
    public void setReadReadyHandler(ReadReadyHandler handler) {
        next.setReadReadyHandler(new ReadReadyHandler() {
            @Override
            public void readReady() {
                if (suspended) {
                    next.suspendReads();
                    // A resume from another thread may have come between the check and the
                    // suspension below: it found the registration still there and left it.
                    if (!suspended) {
                        next.resumeReads();
                    }
                    return;
                }
                handler.readReady();
            }

            @Override
            public void forceTermination() {
                handler.forceTermination();
            }

            @Override
            public void terminated() {
                handler.terminated();
            }
        });
    }
}
