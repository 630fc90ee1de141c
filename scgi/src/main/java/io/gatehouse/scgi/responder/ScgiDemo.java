package io.gatehouse.scgi.responder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A runnable SCGI/uwsgi backend that answers every request with a plain-text page listing the
 * CGI variables it received and the length of the body: a real child process for tests and
 * examples.
 *
 * <pre>
 *   java -cp gatehouse.jar io.gatehouse.scgi.responder.ScgiDemo [--protocol scgi|uwsgi]
 *        [--listen 127.0.0.1:PORT | --listen unix:/path]
 * </pre>
 * Without {@code --listen} it serves the listening socket inherited as fd 0 (how gatehouse's
 * bin-path spawns backends) and exits 2 if fd 0 is no such socket. Runs until killed; a unix
 * socket file it bound itself is removed on SIGTERM/SIGINT.
 *
 * <p>The request handler is stateless: thread-safe.
 */
public final class ScgiDemo {

    /** Exit code for bad arguments or a missing listening socket, as for the gatehouse CLI. */
    static final int EXIT_USAGE = 2;

    /** Exit code when the socket cannot be opened or bound. */
    static final int EXIT_FAILURE = 1;

    private static final String USAGE = "usage: ScgiDemo [--protocol scgi|uwsgi]"
            + " [--listen HOST:PORT | --listen unix:/path]\n"
            + "  without --listen, serves the listening socket inherited as fd 0";

    private static final String UNIX_PREFIX = "unix:";

    private ScgiDemo() {
    }

    public static void main(String[] args) throws InterruptedException {
        ScgiProtocol protocol = ScgiProtocol.SCGI;
        String listen = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println(USAGE);
                return;
            }
            if ((arg.equals("--protocol") || arg.equals("--listen")) && i + 1 == args.length) {
                usage(arg + " needs a value");
            }
            if (arg.equals("--protocol")) {
                try {
                    protocol = ScgiProtocol.fromConfigName(args[++i]);
                } catch (IllegalArgumentException e) {
                    usage(e.getMessage());
                }
            } else if (arg.equals("--listen")) {
                listen = args[++i];
            } else {
                usage("unknown argument \"" + arg + "\"");
            }
        }

        Path ownSocketFile = listen != null && listen.startsWith(UNIX_PREFIX)
                ? Path.of(listen.substring(UNIX_PREFIX.length())) : null;
        ServerSocketChannel server = listen == null ? inheritedServer() : bind(listen, ownSocketFile);
        ScgiResponder responder = new ScgiResponder(protocol, ScgiDemo::page).start(server);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            responder.close();
            deleteQuietly(ownSocketFile);
        }, "scgi-demo-shutdown"));
        try {
            System.out.println("ScgiDemo: " + protocol.name().toLowerCase(Locale.ROOT)
                    + " listening on " + server.getLocalAddress());
        } catch (IOException e) {
            System.out.println("ScgiDemo: " + protocol + " listening");
        }
        new CountDownLatch(1).await();
    }

    /** The demo application: a text/plain page with the body length and every variable. */
    static void page(Map<String, String> env, InputStream body, OutputStream out) throws IOException {
        long bodyLength = 0;
        byte[] chunk = new byte[8192];
        for (int n; (n = body.read(chunk)) > 0; ) {
            bodyLength += n;
        }
        StringBuilder page = new StringBuilder(512)
                .append("Status: 200 OK\r\n")
                .append("Content-Type: text/plain; charset=ISO-8859-1\r\n\r\n")
                .append("gatehouse ScgiDemo\n")
                .append("body length: ").append(bodyLength).append("\n\n");
        for (Map.Entry<String, String> e : env.entrySet()) {
            page.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        out.write(page.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static ServerSocketChannel inheritedServer() {
        Channel inherited;
        try {
            inherited = System.inheritedChannel();
        } catch (IOException e) {
            inherited = null;
        }
        if (!(inherited instanceof ServerSocketChannel)) {
            String what = inherited == null ? "not a socket" : "a " + inherited.getClass().getSimpleName();
            usage("no --listen given and fd 0 is " + what + ", not a listening socket;"
                    + " pass --listen HOST:PORT or --listen unix:/path, or start with a listening socket as fd 0");
        }
        return (ServerSocketChannel) inherited;
    }

    private static ServerSocketChannel bind(String listen, Path unixPath) {
        SocketAddress address = unixPath != null ? UnixDomainSocketAddress.of(unixPath) : tcpAddress(listen);
        try {
            ServerSocketChannel server = unixPath != null
                    ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
            try {
                server.bind(address);
            } catch (IOException e) {
                server.close();
                throw e;
            }
            return server;
        } catch (IOException e) {
            System.err.println("ScgiDemo: cannot listen on " + listen + ": " + e.getMessage());
            System.exit(EXIT_FAILURE);
            throw new AssertionError("unreachable");
        }
    }

    private static InetSocketAddress tcpAddress(String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0 || colon == listen.length() - 1) {
            usage("--listen \"" + listen + "\" is not HOST:PORT or unix:/path");
        }
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        if (port < 0 || port > 65535) {
            usage("--listen \"" + listen + "\": port must be a number from 0 to 65535");
        }
        return new InetSocketAddress(host, port);
    }

    private static void usage(String problem) {
        System.err.println("ScgiDemo: " + problem);
        System.err.println(USAGE);
        System.exit(EXIT_USAGE);
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a stale socket file only costs the next bind a clear "address in use" error
        }
    }
}
