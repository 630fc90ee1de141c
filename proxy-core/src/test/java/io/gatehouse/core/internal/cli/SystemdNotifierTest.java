package io.gatehouse.core.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;

class SystemdNotifierTest {

    @Test
    void sendsEachStateAsOneDatagram() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "gh-sd");
        Path socket = dir.resolve("notify");
        try (UnixDatagramChannel receiver = UnixDatagramChannel.open()) {
            receiver.bind(new UnixSocketAddress(socket.toFile()));
            SystemdNotifier notifier = SystemdNotifier.of(socket.toString());
            assertTrue(notifier.isEnabled());

            notifier.ready("generation 1 serving");
            String ready = receive(receiver);
            assertTrue(ready.startsWith("READY=1\nMAINPID=" + ProcessHandle.current().pid() + "\n"), ready);
            assertTrue(ready.endsWith("STATUS=generation 1 serving"), ready);

            long before = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
            notifier.reloading();
            String reloading = receive(receiver);
            long sent = Long.parseLong(reloading.split("\n")[1].substring("MONOTONIC_USEC=".length()));
            assertTrue(reloading.startsWith("RELOADING=1\n"), reloading);
            assertTrue(sent >= before && sent - before < 5_000_000, "MONOTONIC_USEC " + sent + " vs " + before);
            // The same clock as systemd's: CLOCK_MONOTONIC, which /proc/uptime tracks in seconds.
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            assertTrue(Math.abs(sent / 1e6 - uptime) < 5, "MONOTONIC_USEC " + sent + " vs uptime " + uptime);

            notifier.stopping();
            assertEquals("STOPPING=1\nSTATUS=stopping", receive(receiver));
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        assertFalse(SystemdNotifier.of(null).isEnabled());
        assertFalse(SystemdNotifier.of("").isEnabled());
        SystemdNotifier.of(null).ready("ignored"); // must not throw
    }

    private static String receive(UnixDatagramChannel channel) throws Exception {
        CompletableFuture<String> message = CompletableFuture.supplyAsync(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            try {
                channel.receive(buffer);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            buffer.flip();
            return StandardCharsets.UTF_8.decode(buffer).toString();
        });
        return message.get(5, TimeUnit.SECONDS);
    }
}
