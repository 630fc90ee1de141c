package io.gatehouse.fcgi.responder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection so the last records reach the peer: half-close, then read and drop what the
 * peer still sends until it hangs up (bounded in time and bytes), then close. Closing with unread
 * input makes the kernel reset the connection, and a reset can destroy the response the peer has
 * not read yet.
 *
 * <p>{@link #run} is called by the connection's thread; {@link #abandon} may be called from any
 * thread to cut the wait short when the responder closes.
 */
final class LingeringClose {

    /** Long enough for a web server to read END_REQUEST and hang up, short enough not to pin a thread. */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** A peer still sending after END_REQUEST gets this much drained before the socket is closed anyway. */
    private static final long MAX_LINGER_BYTES = 4L * 1024 * 1024;

    private static final int SCRATCH_SIZE = 8192;

    private volatile Selector selector;
    private volatile boolean abandoned;

    void run(SocketChannel channel) {
        try (channel; Selector opened = Selector.open()) {
            selector = opened;
            channel.shutdownOutput();
            channel.configureBlocking(false);
            channel.register(opened, SelectionKey.OP_READ);
            ByteBuffer scratch = ByteBuffer.allocate(SCRATCH_SIZE);
            long deadline = System.nanoTime() + LINGER_NANOS;
            long drained = 0;
            while (drained < MAX_LINGER_BYTES && !abandoned) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                opened.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                opened.selectedKeys().clear();
                scratch.clear();
                int n = channel.read(scratch);
                if (n < 0) {
                    break;
                }
                drained += n;
            }
        } catch (IOException e) {
            // the peer is gone already, or the responder closed the channel: nothing left to protect
        }
    }

    /** Stops the wait at once; the channel is closed by whoever called this. */
    void abandon() {
        abandoned = true;
        Selector current = selector;
        if (current != null) {
            current.wakeup();
        }
    }
}
