package io.gatehouse.core.internal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LazyReadSuspension} on a real accepted socket of an XNIO I/O thread: the socket's own
 * conduit shows what is registered with the selector, the channel above what Undertow sees. A
 * layer between the two lets a test act at the moment the socket is suspended.
 */
class LazyReadSuspensionTest {

    private static final long LIMIT_MILLIS = 2000;
    private static final String END = "(end of stream)";

    private XnioWorker worker;
    private AcceptingChannel<StreamConnection> server;
    private final CompletableFuture<StreamConnection> accepted = new CompletableFuture<>();
    private Socket client;
    private StreamConnection connection;
    /** The conduit under the lazy suspension: its read interest is the selector's. */
    private StreamSourceConduit socket;
    private final AtomicInteger readReadyCalls = new AtomicInteger();
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    /** Run once, on the I/O thread, when the lazy suspension suspends the socket. */
    private volatile Runnable beforeTheSocketSuspends;

    @BeforeEach
    void connect() throws Exception {
        worker = Xnio.getInstance(LazyReadSuspensionTest.class.getClassLoader())
                .createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        server = worker.createStreamConnectionServer(new InetSocketAddress("127.0.0.1", 0), channel -> {
            try {
                StreamConnection next = channel.accept();
                if (next != null) {
                    accepted.complete(next);
                }
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        }, OptionMap.EMPTY);
        server.resumeAccepts();
        client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
        connection = accepted.get(LIMIT_MILLIS, TimeUnit.MILLISECONDS);
        socket = connection.getSourceChannel().getConduit();
        onIoThread(() -> {
            connection.getSourceChannel().setConduit(new SuspensionHook(socket));
            LazyReadSuspension.install(connection);
            connection.getSourceChannel().setReadListener(this::readAll);
        });
    }

    @AfterEach
    void close() throws Exception {
        IoUtils.safeClose(client, connection, server);
        if (worker != null) {
            worker.shutdown();
            assertTrue(worker.awaitTermination(LIMIT_MILLIS, TimeUnit.MILLISECONDS), "the worker did not stop");
        }
    }

    @Test
    void aSuspensionTakesEffectOnlyWhenTheClientSendsSomething() throws Exception {
        resumeThenSuspendOnIoThread();
        assertFalse(channel().isReadResumed(), "what the layers above asked for");
        assertTrue(socket.isReadResumed(), "the socket left the selector before anything arrived");

        send("x");
        awaitTheSocketsSuspension();
        assertEquals(0, readReadyCalls.get(), "a read-ready call reached the suspended layers above");

        onIoThread(() -> channel().resumeReads());
        assertEquals("x", received.poll(LIMIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Test
    void aResumeBeforeAnythingArrivedFindsTheSocketRegisteredAsItWas() throws Exception {
        resumeThenSuspendOnIoThread();
        onIoThread(() -> channel().resumeReads());
        assertTrue(socket.isReadResumed());

        send("y");
        assertEquals("y", received.poll(LIMIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    /** Undertow may resume from a thread it dispatched to. */
    @Test
    void aResumeFromAnotherThreadAfterTheSuspensionTookEffectIsNotLost() throws Exception {
        channel().resumeReads();
        channel().suspendReads();
        send("z");
        awaitTheSocketsSuspension();

        channel().resumeReads();
        assertEquals("z", received.poll(LIMIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    /**
     * The race the read-ready path guards against: another thread resumes between the check of the
     * suspension and the suspension of the socket. The hook runs that resume at exactly that point.
     */
    @Test
    void aResumeBetweenTheCheckAndTheSocketsSuspensionIsNotLost() throws Exception {
        resumeThenSuspendOnIoThread();
        beforeTheSocketSuspends = () -> channel().resumeReads();
        send("r");
        assertEquals("r", received.poll(LIMIT_MILLIS, TimeUnit.MILLISECONDS), "the resume was lost");
    }

    @Test
    void aWakeupAfterTheSuspensionTookEffectDeliversWhatCame() throws Exception {
        resumeThenSuspendOnIoThread();
        send("w");
        awaitTheSocketsSuspension();

        onIoThread(() -> channel().wakeupReads());
        assertEquals("w", received.poll(LIMIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Test
    void aCloseWhileSuspendedIsReadAsTheEndOnceResumed() throws Exception {
        resumeThenSuspendOnIoThread();
        client.close();
        awaitTheSocketsSuspension();
        assertEquals(0, readReadyCalls.get(), "a read-ready call reached the suspended layers above");

        onIoThread(() -> channel().resumeReads());
        assertEquals(END, received.poll(LIMIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    /** As Undertow does around a request: reads resumed, then suspended while it runs. */
    private void resumeThenSuspendOnIoThread() throws Exception {
        onIoThread(() -> {
            channel().resumeReads();
            channel().suspendReads();
        });
    }

    private void awaitTheSocketsSuspension() throws InterruptedException {
        assertTrue(waitFor(() -> !socket.isReadResumed()), "the socket is still registered after it turned readable");
    }

    private ConduitStreamSourceChannel channel() {
        return connection.getSourceChannel();
    }

    private void readAll(ConduitStreamSourceChannel channel) {
        readReadyCalls.incrementAndGet();
        ByteBuffer buffer = ByteBuffer.allocate(64);
        try {
            int read = channel.read(buffer);
            if (read > 0) {
                received.add(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
            } else if (read < 0) {
                channel.suspendReads();
                received.add(END);
            }
        } catch (IOException e) {
            received.add("read failed: " + e);
        }
    }

    /** Between the lazy suspension and the socket: runs {@link #beforeTheSocketSuspends} once. */
    private final class SuspensionHook extends AbstractStreamSourceConduit<StreamSourceConduit> {

        SuspensionHook(StreamSourceConduit next) {
            super(next);
        }

        @Override
        public void suspendReads() {
            Runnable hook = beforeTheSocketSuspends;
            beforeTheSocketSuspends = null;
            if (hook != null) {
                hook.run();
            }
            super.suspendReads();
        }
    }

    private void send(String text) throws IOException {
        client.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().flush();
    }

    private void onIoThread(Runnable task) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        connection.getIoThread().execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        done.get(LIMIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static boolean waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIMIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
