package io.gatehouse.core.internal.gateway;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One blocking connection to a backend (unix or TCP) with connect, read and write timeouts
 * enforced by the {@link Watchdog}.
 *
 * <p>Used by one thread at a time for reading and by at most one other thread for writing (a
 * request body written while the response is read); {@link #close()} may be called from any
 * thread. A kept connection passes between gateway threads through {@link IdleConnections};
 * while parked there, the request that claims it and the watchdog that expires it race on one
 * atomic flag, so exactly one of them owns it.
 */
final class BackendConnection implements Closeable {

    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final SocketChannel channel;
    private final Watchdog watchdog;
    private final String target;
    // Reads and writes may block at the same time (a body written while the response is read),
    // so each direction has its own deadline; connecting uses the write side.
    private volatile long readDeadline = NO_DEADLINE;
    private volatile long writeDeadline = NO_DEADLINE;
    private volatile BackendTimeoutException.Phase expired;
    private long bytesWritten;
    /** Set while parked in {@link #idleHome}; whoever clears it first (a request or the watchdog) owns it. */
    private final AtomicBoolean parked = new AtomicBoolean();
    private volatile IdleConnections idleHome;
    private volatile long idleDeadline = NO_DEADLINE;
    private int requestsServed;

    private BackendConnection(SocketChannel channel, Watchdog watchdog, String target) {
        this.channel = channel;
        this.watchdog = watchdog;
        this.target = target;
    }

    /** Connects to {@code host}, failing with {@link BackendTimeoutException} after {@code timeout} (ZERO = none). */
    static BackendConnection connect(BackendHost host, Duration timeout, Watchdog watchdog) throws IOException {
        SocketChannel channel = host.openChannel();
        BackendConnection connection = new BackendConnection(channel, watchdog, host.describe());
        watchdog.watch(connection);
        try {
            connection.writeDeadline = deadline(timeout);
            channel.connect(host.address());
            connection.writeDeadline = NO_DEADLINE;
            return connection;
        } catch (IOException e) {
            connection.close();
            throw connection.translate(e);
        }
    }

    /** Reads at least one byte into {@code buffer}; returns -1 at EOF. */
    int read(ByteBuffer buffer, Duration timeout) throws IOException {
        try {
            readDeadline = deadline(timeout);
            int n = channel.read(buffer);
            readDeadline = NO_DEADLINE;
            return n;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** Writes every remaining byte of {@code buffers}. */
    void write(ByteBuffer[] buffers, Duration timeout) throws IOException {
        try {
            writeDeadline = deadline(timeout);
            long remaining = 0;
            for (ByteBuffer b : buffers) {
                remaining += b.remaining();
            }
            while (remaining > 0) {
                long n = channel.write(buffers);
                remaining -= n;
                bytesWritten += n;
            }
            writeDeadline = NO_DEADLINE;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    void write(ByteBuffer buffer, Duration timeout) throws IOException {
        write(new ByteBuffer[] {buffer}, timeout);
    }

    /** Bytes of the request written so far: nothing written yet means a failed request may be retried. */
    long bytesWritten() {
        return bytesWritten;
    }

    /** Starts a request on this connection: counts it and resets {@link #bytesWritten()}. */
    void startRequest() {
        requestsServed++;
        bytesWritten = 0;
    }

    /** True when an earlier request already used this connection (it came from the idle pool). */
    boolean isReused() {
        return requestsServed > 1;
    }

    /** Marks the connection idle in {@code home}; the watchdog closes it after {@code timeout}. */
    void park(IdleConnections home, Duration timeout) {
        idleHome = home;
        idleDeadline = System.nanoTime() + timeout.toNanos();
        parked.set(true);
    }

    /** Takes a parked connection out of idleness; false when the watchdog closed it first. */
    boolean claim() {
        if (!parked.compareAndSet(true, false)) {
            return false;
        }
        idleDeadline = NO_DEADLINE;
        idleHome = null;
        return true;
    }

    String target() {
        return target;
    }

    private static long deadline(Duration timeout) {
        return timeout.isZero() ? NO_DEADLINE : System.nanoTime() + timeout.toNanos();
    }

    void expireIfDue(long now) {
        long idle = idleDeadline;
        if (idle != NO_DEADLINE && now - idle >= 0) {
            IdleConnections home = idleHome;
            if (home != null && parked.compareAndSet(true, false)) {
                home.expired(this);
                close();
            }
            return;
        }
        long read = readDeadline;
        long write = writeDeadline;
        if (read != NO_DEADLINE && now - read >= 0) {
            expired = BackendTimeoutException.Phase.READ;
            closeQuietly();
        } else if (write != NO_DEADLINE && now - write >= 0) {
            expired = bytesWritten == 0 && !channel.isConnected()
                    ? BackendTimeoutException.Phase.CONNECT : BackendTimeoutException.Phase.WRITE;
            closeQuietly();
        }
    }

    private IOException translate(IOException e) {
        BackendTimeoutException.Phase phase = expired;
        if (phase != null) {
            String what = switch (phase) {
                case CONNECT -> "connect to ";
                case READ -> "no data from ";
                case WRITE -> "could not write to ";
            };
            BackendTimeoutException t = new BackendTimeoutException(phase, what + target + ": timed out");
            t.initCause(e);
            return t;
        }
        if (e instanceof ClosedChannelException && !(e instanceof java.nio.channels.AsynchronousCloseException)) {
            return new EOFException("connection to " + target + " closed");
        }
        return e;
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a broken or timed-out connection: nothing to recover
        }
    }

    @Override
    public void close() {
        watchdog.unwatch(this);
        closeQuietly();
    }
}
