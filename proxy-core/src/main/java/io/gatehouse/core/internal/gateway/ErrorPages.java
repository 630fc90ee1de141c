package io.gatehouse.core.internal.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.xnio.IoUtils;

/**
 * The error responses gatehouse sends itself, as lighttpd 1.4.69 sends them
 * ({@code http_response_send_errdoc}): the file {@code <server.errorfile-prefix><status>.html} when
 * the request's scope sets a prefix and that file exists, with the Content-Type its name gets from
 * {@code mimetype.assign}; otherwise lighttpd's small XHTML page naming the status, as
 * {@code text/html}. The files come from memory ({@link ErrorDocuments}, read when the config was
 * loaded): sending a page never touches the disk.
 *
 * <p>Stateless apart from the per-exchange attachment; thread-safe.
 */
public final class ErrorPages {

    /** Where {@link #useErrorFiles} leaves the request's prefix and type lookup. */
    private static final AttachmentKey<ErrorFiles> ERROR_FILES = AttachmentKey.create(ErrorFiles.class);

    /** lighttpd's reason phrases where Undertow's differ. */
    private static final Map<Integer, String> REASONS = Map.of(
            413, "Payload Too Large", 414, "URI Too Long", 416, "Range Not Satisfiable");

    private record ErrorFiles(ErrorDocuments documents, String prefix, UnaryOperator<String> contentTypeOf) {
    }

    private ErrorPages() {
    }

    /**
     * Makes later error pages of {@code exchange} come from {@code <prefix><status>.html} as
     * {@code documents} loaded it, typed by {@code contentTypeOf} (file path to type, null when
     * unknown; it must not read files).
     */
    public static void useErrorFiles(HttpServerExchange exchange, ErrorDocuments documents, String prefix,
            UnaryOperator<String> contentTypeOf) {
        exchange.putAttachment(ERROR_FILES, new ErrorFiles(documents, prefix, contentTypeOf));
    }

    /** lighttpd's reason phrase for {@code status}. */
    public static String reason(int status) {
        return REASONS.getOrDefault(status, StatusCodes.getReason(status));
    }

    /** Ends the exchange with {@code status} and its error page. */
    public static void send(HttpServerExchange exchange, int status) {
        if (exchange.isResponseStarted()) {
            abort(exchange);
            return;
        }
        exchange.setStatusCode(status);
        if (REASONS.containsKey(status)) {
            exchange.setReasonPhrase(REASONS.get(status));
        }
        ByteBuffer body = errorFile(exchange, status);
        if (body == null) {
            body = ByteBuffer.wrap(defaultPage(status).getBytes(StandardCharsets.ISO_8859_1));
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html");
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.remaining());
        ByteBuffer page = body;
        if (exchange.isInIoThread()) {
            exchange.getResponseSender().send(page);
        } else {
            // Sent from the I/O thread for the reason Completion gives.
            exchange.dispatch(exchange.getIoThread(), ex -> ex.getResponseSender().send(page));
        }
    }

    /** The configured error file's bytes (and its Content-Type set), or null to send the built-in page. */
    private static ByteBuffer errorFile(HttpServerExchange exchange, int status) {
        ErrorFiles files = exchange.getAttachment(ERROR_FILES);
        if (files == null) {
            return null;
        }
        byte[] bytes = files.documents().body(files.prefix(), status).orElse(null);
        if (bytes == null) {
            return null;
        }
        String type = files.contentTypeOf().apply(files.prefix() + status + ".html");
        if (type != null && !type.isEmpty()) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        }
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** lighttpd's page, the same bytes. */
    static String defaultPage(int status) {
        String title = status + " " + reason(status);
        return "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
                + "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
                + "         \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
                + "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
                + " <head>\n"
                + "  <title>" + title + "</title>\n"
                + " </head>\n"
                + " <body>\n"
                + "  <h1>" + title + "</h1>\n"
                + " </body>\n"
                + "</html>\n";
    }

    /** Cuts the client connection: the response was already under way and cannot be corrected. */
    public static void abort(HttpServerExchange exchange) {
        exchange.setPersistent(false);
        IoUtils.safeClose(exchange.getConnection());
    }
}
