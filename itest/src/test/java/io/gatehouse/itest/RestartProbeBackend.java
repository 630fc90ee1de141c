package io.gatehouse.itest;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;

import io.gatehouse.fcgi.responder.FcgiResponder;
import sun.misc.Signal;

/**
 * A bin-path FastCGI backend for the restart tests, run as its own JVM: serves the listening
 * socket it inherits as fd 0 and appends {@code start <pid>} when it starts serving and
 * {@code exit <pid>} when it exits to the event log named by its first argument (O_APPEND, one
 * write per line, so the file's order is the order of events across all children). With
 * {@code ignore-term} as second argument it ignores SIGTERM (logging {@code ignored-term <pid>}),
 * to test escalation to SIGKILL.
 *
 * <p>Pages: {@code /pid} answers {@code pid=<pid>}; {@code /sleep?ms=N} answers after N ms.
 */
public final class RestartProbeBackend {

    private RestartProbeBackend() {
    }

    public static void main(String[] args) throws Exception {
        Path eventLog = Path.of(args[0]);
        long pid = ProcessHandle.current().pid();
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel server)) {
            System.err.println("RestartProbeBackend: fd 0 is not a listening socket");
            System.exit(2);
            return;
        }
        if (args.length > 1 && args[1].equals("ignore-term")) {
            Signal.handle(new Signal("TERM"), s -> append(eventLog, "ignored-term " + pid));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> append(eventLog, "exit " + pid)));
        try (FcgiResponder responder = new FcgiResponder((request, response) -> {
            String script = request.params().getOrDefault("SCRIPT_NAME", "");
            String query = request.params().getOrDefault("QUERY_STRING", "");
            if (script.equals("/sleep")) {
                sleep(Long.parseLong(query.replace("ms=", "")));
            }
            String body = "pid=" + pid + "\n";
            response.stdout().write(("Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n"
                    + body).getBytes(StandardCharsets.ISO_8859_1));
        }).start(server)) {
            append(eventLog, "start " + pid);
            new CountDownLatch(1).await(); // serves until the kill-signal ends the JVM
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized void append(Path file, String line) {
        try {
            Files.write(file, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            System.err.println("RestartProbeBackend: cannot log to " + file + ": " + e);
        }
    }
}
