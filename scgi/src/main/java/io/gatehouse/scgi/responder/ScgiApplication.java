package io.gatehouse.scgi.responder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The application behind an {@link ScgiResponder}: handles one request per call.
 *
 * <p>{@code body} yields exactly CONTENT_LENGTH bytes then EOF. The application writes a CGI
 * response to {@code out} ({@code "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nbody"}); the
 * connection is closed after {@code handle} returns, and that EOF ends the response.
 *
 * <p>Called concurrently from one thread per connection: implementations must be thread-safe.
 */
@FunctionalInterface
public interface ScgiApplication {

    void handle(Map<String, String> env, InputStream body, OutputStream out) throws IOException;
}
