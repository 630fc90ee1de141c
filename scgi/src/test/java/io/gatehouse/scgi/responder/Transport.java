package io.gatehouse.scgi.responder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

/** The two socket kinds a responder serves on: loopback TCP and a unix socket in a temp directory. */
enum Transport {
    TCP,
    UNIX;

    /** A bound listening channel; a unix socket file goes into {@code dir}. */
    ServerSocketChannel bind(Path dir) throws IOException {
        if (this == TCP) {
            ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return server;
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("r.sock")));
        return server;
    }
}
