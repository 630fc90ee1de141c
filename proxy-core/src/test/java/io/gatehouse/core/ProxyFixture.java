package io.gatehouse.core;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.ServerConfig;

/** A gatehouse on a free loopback port in front of real test backends; closes everything. */
final class ProxyFixture implements Closeable {

    final List<TestBackend> backends = new ArrayList<>();
    final Gatehouse server;
    final int port;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ProxyFixture(Gatehouse server, int port) {
        this.server = server;
        this.port = port;
    }

    /** One backend of {@code kind} under the key {@code ""}. */
    static ProxyFixture start(TestBackend.Kind kind) throws IOException {
        return start(kind, UnaryOperator.identity(), UnaryOperator.identity());
    }

    static ProxyFixture start(TestBackend.Kind kind, UnaryOperator<BackendConfig.Builder> backend,
            UnaryOperator<ServerConfig.Builder> server) throws IOException {
        TestBackend test = TestBackend.start(kind);
        try {
            BackendConfig config = backend.apply(test.config()).build();
            ProxyFixture fixture = start(server.apply(ServerConfig.builder().route(Route.of("", kind.protocol, config))));
            fixture.backends.add(test);
            return fixture;
        } catch (IOException | RuntimeException e) {
            test.close();
            throw e;
        }
    }

    /** A gatehouse for {@code builder} (its listener is added here). */
    static ProxyFixture start(ServerConfig.Builder builder) throws IOException {
        int port = freePort();
        Gatehouse server = Gatehouse.start(builder.listen("127.0.0.1", port).build());
        return new ProxyFixture(server, port);
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return probe.getLocalPort();
        }
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> post(String pathAndQuery, byte[] body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (TestBackend backend : backends) {
            backend.close();
        }
    }
}
