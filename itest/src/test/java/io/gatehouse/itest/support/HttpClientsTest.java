package io.gatehouse.itest.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The helpers against the JDK's own HTTP server on 127.0.0.1. */
@ExtendWith(LeakCheck.class)
class HttpClientsTest {

    private HttpServer server;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/echo", HttpClientsTest::echo);
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/echo");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    /** Answers {@code METHOD URI PROTOCOL content-type body}. */
    private static void echo(HttpExchange exchange) throws IOException {
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        String text = exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + exchange.getProtocol()
                + " " + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                + new String(requestBody, StandardCharsets.UTF_8);
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void getSpeaksHttp11ToLoopback() throws Exception {
        HttpResponse<String> response = HttpClients.get(port, "/echo?a=1");
        assertEquals(200, response.statusCode());
        assertEquals("GET /echo?a=1 HTTP/1.1 null ", response.body());
        assertEquals(HttpClients.uri(port, "/echo?a=1"), response.uri());
    }

    @Test
    void postSendsTheBodyAndContentType() throws Exception {
        HttpResponse<String> response = HttpClients.post(port, "/echo", "text/plain", "hi there");
        assertEquals("POST /echo HTTP/1.1 text/plain hi there", response.body());
    }

    @Test
    void getBytesAndRedirectsAreNotFollowed() throws Exception {
        HttpResponse<byte[]> response = HttpClients.getBytes(port, "/echo");
        assertArrayEquals("GET /echo HTTP/1.1 null ".getBytes(StandardCharsets.UTF_8), response.body());
        HttpResponse<String> moved = HttpClients.get(port, "/moved");
        assertEquals(302, moved.statusCode());
        assertEquals("/echo", moved.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void uriRequiresALeadingSlash() {
        assertEquals("http://127.0.0.1:8080/a?b=1", HttpClients.uri(8080, "/a?b=1").toString());
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> HttpClients.uri(8080, "a"));
        assertTrue(error.getMessage().contains("'a'"), error.getMessage());
    }
}
