package io.gatehouse.itest.support;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The other user's program in the local-attack tests ({@link OtherUser#listen}): binds a unix
 * socket at the path given, prints {@value #LISTENING}, then {@value #ACCEPTED} for each
 * connection it accepts (holding it open, reading nothing), and exits when its standard input
 * ends, so it never outlives the test that started it. Only JDK classes: it runs as a user who
 * cannot read the build's dependencies.
 */
public final class UnixListenerMain {

    public static final String LISTENING = "listening";
    public static final String ACCEPTED = "accepted";

    private UnixListenerMain() {
    }

    public static void main(String[] args) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(Path.of(args[0])));
        List<SocketChannel> held = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(server.accept());
                    System.out.println(ACCEPTED);
                    System.out.flush();
                }
            } catch (IOException closed) {
                // Standard input ended and the socket was closed.
            }
        }, "accept");
        acceptor.setDaemon(true);
        acceptor.start();
        System.out.println(LISTENING);
        System.out.flush();
        while (System.in.read() >= 0) {
            // Waits for the test to close our standard input (or to die).
        }
        server.close();
    }
}
