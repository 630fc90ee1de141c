package io.gatehouse.itest.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Helpers around the JDK {@link HttpClient} for requests to a server on 127.0.0.1: HTTP/1.1 only,
 * short timeouts, redirects not followed (tests look at the 3xx itself).
 *
 * <p>Thread-safe. The JDK 17 client cannot be closed; the shared one lives as long as the JVM
 * and its descriptors are counted in {@link LeakCheck#FD_GROWTH_TOLERANCE}.
 */
public final class HttpClients {

    /** Loopback connects take microseconds; a second means the server is not there. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Covers a proxied PHP request with room for a slow CI machine; tests of slow pages set their own. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient SHARED = newClient();

    private HttpClients() {
    }

    /** The shared client: reuses keep-alive connections across calls. */
    public static HttpClient client() {
        return SHARED;
    }

    /** A new client with the same settings, for tests that need connections of their own. */
    public static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}. */
    public static URI uri(int port, String pathAndQuery) {
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("path '" + pathAndQuery + "' must start with '/'");
        }
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /** A request builder for that URI with {@link #REQUEST_TIMEOUT}. */
    public static HttpRequest.Builder request(int port, String pathAndQuery) {
        return HttpRequest.newBuilder(uri(port, pathAndQuery)).timeout(REQUEST_TIMEOUT);
    }

    public static HttpResponse<String> get(int port, String pathAndQuery) throws IOException, InterruptedException {
        return SHARED.send(request(port, pathAndQuery).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public static HttpResponse<byte[]> getBytes(int port, String pathAndQuery)
            throws IOException, InterruptedException {
        return SHARED.send(request(port, pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POSTs {@code body} with the given Content-Type. */
    public static HttpResponse<String> post(int port, String pathAndQuery, String contentType, String body)
            throws IOException, InterruptedException {
        return SHARED.send(request(port, pathAndQuery)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
