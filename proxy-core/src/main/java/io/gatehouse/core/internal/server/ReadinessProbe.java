package io.gatehouse.core.internal.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Protocol;
import io.gatehouse.fcgi.FcgiException;
import io.gatehouse.fcgi.FcgiRequestGenerator;
import io.gatehouse.spawn.SpawnedBackend;

/**
 * Waits until freshly spawned FastCGI children serve, before an overlap restart sends them new
 * requests. The parent binds each child's socket, so a connect succeeds long before the child
 * (a JVM, say) calls accept(); a request sent then waits in the backlog. An answer to a
 * FastCGI GET_VALUES query (or the connection closed, by a backend that does not implement it)
 * shows that the child accepts.
 *
 * <p>SCGI and uwsgi have no harmless query: their children are not probed.
 *
 * <p>Stateless; thread-safe.
 */
final class ReadinessProbe {

    /** A child that does not answer within this is used anyway (a slow start is not a failure). */
    static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private ReadinessProbe() {
    }

    /**
     * Probes every FastCGI child of {@code processes}; returns the addresses that did not answer
     * within {@link #MAX_WAIT} (all together).
     */
    static List<SocketAddress> await(BackendProcesses processes) {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        List<SocketAddress> silent = new java.util.ArrayList<>();
        for (Map.Entry<BackendConfig, SpawnedBackend> entry : processes.all().entrySet()) {
            if (entry.getKey().protocol() != Protocol.FASTCGI) {
                continue;
            }
            for (SocketAddress address : entry.getValue().addresses()) {
                if (address instanceof UnixDomainSocketAddress && !answers(address, deadline)) {
                    silent.add(address);
                }
            }
        }
        return silent;
    }

    private static boolean answers(SocketAddress address, long deadline) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(address);
            ByteBuffer query = FcgiRequestGenerator.getValues(List.of("FCGI_MAX_CONNS"));
            while (query.hasRemaining()) {
                channel.write(query);
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer answer = ByteBuffer.allocate(256);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                if (selector.select(left) > 0) {
                    // Any answer, or the connection closed: either way the child has accepted.
                    channel.read(answer);
                    return true;
                }
            }
        } catch (FcgiException e) {
            throw new IllegalStateException("GET_VALUES query cannot be encoded", e);
        } catch (IOException e) {
            return true; // refused or reset: nothing to wait for; the request path reports it
        }
    }
}
