package io.gatehouse.fcgi.responder;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** A listening socket on loopback TCP or on a short temp unix path, removed again on close. */
final class Endpoint implements Closeable {

    enum Transport { TCP, UNIX }

    final ServerSocketChannel server;
    final SocketAddress address;
    private final Path directory;
    private final Path socketFile;

    private Endpoint(ServerSocketChannel server, Path directory, Path socketFile) throws IOException {
        this.server = server;
        this.address = server.getLocalAddress();
        this.directory = directory;
        this.socketFile = socketFile;
    }

    static Endpoint open(Transport transport) throws IOException {
        if (transport == Transport.TCP) {
            ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new Endpoint(server, null, null);
        }
        Path directory = Files.createTempDirectory(Path.of("/tmp"), "ghr");
        Path socketFile = directory.resolve("r.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socketFile));
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(directory);
            throw e;
        }
        return new Endpoint(server, directory, socketFile);
    }

    SocketChannel connect() throws IOException {
        return SocketChannel.open(address);
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (socketFile != null) {
            Files.deleteIfExists(socketFile);
            Files.deleteIfExists(directory);
        }
    }
}
