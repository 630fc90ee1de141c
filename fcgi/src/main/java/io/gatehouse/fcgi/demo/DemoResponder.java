package io.gatehouse.fcgi.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import io.gatehouse.fcgi.responder.FcgiResponder;

/**
 * The built-in FastCGI backend gatehouse spawns when run without a config, as its own process:
 * <pre>
 * java -cp gatehouse.jar io.gatehouse.fcgi.demo.DemoResponder
 *      [--listen 127.0.0.1:PORT | --listen unix:/path] [--exit-on-stdin-eof]
 * </pre>
 * Without {@code --listen} it serves the listening socket inherited as fd 0, which is how a
 * spawned FastCGI child receives its socket. {@code --exit-on-stdin-eof} makes it exit when its
 * stdin reaches end of file, i.e. when the parent that holds the other end died. SIGTERM and
 * SIGINT exit 0 at once. Exit status 2 means a usage error, 1 that the socket could not be opened.
 *
 * <p>Runs as a program; the class holds no shared state.
 */
public final class DemoResponder {

    private static final String USAGE = "usage: DemoResponder [--listen HOST:PORT | --listen unix:/path]"
            + " [--exit-on-stdin-eof]";

    private static final int EXIT_USAGE = 2;
    private static final int EXIT_CANNOT_LISTEN = 1;
    private static final String UNIX_PREFIX = "unix:";

    private DemoResponder() {
    }

    public static void main(String[] args) throws InterruptedException {
        Options options = Options.parse(args);
        if (options.error != null) {
            System.err.println("gatehouse demo responder: " + options.error + "\n" + USAGE);
            System.exit(EXIT_USAGE);
        }
        ServerSocketChannel server = options.listen == null ? inheritedServer() : bind(options.listen);
        Path boundSocketFile = options.listen != null && options.listen.startsWith(UNIX_PREFIX)
                ? Path.of(options.listen.substring(UNIX_PREFIX.length())) : null;
        FcgiResponder responder = new FcgiResponder(new DemoPage()).start(server);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(responder, boundSocketFile), "demo-shutdown"));
        System.err.println("gatehouse demo responder pid " + ProcessHandle.current().pid() + " listening on "
                + describe(server));

        if (options.exitOnStdinEof) {
            waitForEndOfStdin();
            System.exit(0);
        }
        new CountDownLatch(1).await();
    }

    private static ServerSocketChannel inheritedServer() {
        Channel inherited;
        try {
            inherited = System.inheritedChannel();
        } catch (IOException e) {
            inherited = null;
        }
        if (inherited instanceof ServerSocketChannel server) {
            return server;
        }
        System.err.println("gatehouse demo responder: fd 0 is not a listening socket (found "
                + (inherited == null ? "no socket" : inherited.getClass().getSimpleName())
                + "); start it with its socket on fd 0 or pass --listen\n" + USAGE);
        System.exit(EXIT_USAGE);
        throw new AssertionError("unreachable");
    }

    private static ServerSocketChannel bind(String listen) {
        try {
            if (listen.startsWith(UNIX_PREFIX)) {
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(listen.substring(UNIX_PREFIX.length())));
                return server;
            }
            ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(tcpAddress(listen));
            return server;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("gatehouse demo responder: cannot listen on " + listen + ": " + e.getMessage());
            System.exit(EXIT_CANNOT_LISTEN);
            throw new AssertionError("unreachable");
        }
    }

    private static InetSocketAddress tcpAddress(String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT or unix:/path");
        }
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port \"" + listen.substring(colon + 1) + "\" is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
        return new InetSocketAddress(host, port);
    }

    private static String describe(ServerSocketChannel server) {
        try {
            SocketAddress address = server.getLocalAddress();
            if (address instanceof UnixDomainSocketAddress unix) {
                return UNIX_PREFIX + unix.getPath();
            }
            if (address instanceof InetSocketAddress inet) {
                return inet.getAddress().getHostAddress() + ":" + inet.getPort();
            }
            return String.valueOf(address);
        } catch (IOException e) {
            return "an unknown address (" + e.getMessage() + ")";
        }
    }

    private static void waitForEndOfStdin() {
        byte[] buffer = new byte[512];
        InputStream stdin = System.in;
        try {
            while (stdin.read(buffer) >= 0) {
                // input is ignored; only its end matters
            }
        } catch (IOException e) {
            // an unreadable stdin means the parent is gone as surely as EOF does
        }
    }

    /**
     * Runs as the shutdown hook. Halting with 0 here makes a SIGTERM exit 0: the JVM would
     * otherwise report 143, and a supervisor counts that as a crash rather than a clean stop.
     */
    private static void stop(FcgiResponder responder, Path boundSocketFile) {
        responder.close();
        if (boundSocketFile != null) {
            try {
                Files.deleteIfExists(boundSocketFile);
            } catch (IOException e) {
                System.err.println("gatehouse demo responder: cannot delete " + boundSocketFile + ": " + e);
            }
        }
        Runtime.getRuntime().halt(0);
    }

    /** Parsed command line; {@code error} is set instead of throwing so main can print the usage. */
    private static final class Options {
        String listen;
        boolean exitOnStdinEof;
        String error;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length && options.error == null; i++) {
                switch (args[i]) {
                    case "--listen" -> {
                        if (i + 1 >= args.length) {
                            options.error = "--listen needs an address";
                        } else if (options.listen != null) {
                            options.error = "--listen given twice";
                        } else {
                            options.listen = args[++i];
                        }
                    }
                    case "--exit-on-stdin-eof" -> options.exitOnStdinEof = true;
                    default -> options.error = "unknown argument \"" + args[i] + "\"";
                }
            }
            if (options.error == null && options.exitOnStdinEof && options.listen == null) {
                options.error = "--exit-on-stdin-eof needs --listen: without it fd 0 is the listening socket";
            }
            return options;
        }
    }
}
