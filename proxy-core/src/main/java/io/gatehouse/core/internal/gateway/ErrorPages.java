package io.gatehouse.core.internal.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.xnio.IoUtils;

/** The small HTML error responses gatehouse sends itself, as lighttpd does. */
public final class ErrorPages {

    private ErrorPages() {
    }

    /** Ends the exchange with {@code status} and a short HTML page naming it. */
    public static void send(HttpServerExchange exchange, int status) {
        if (exchange.isResponseStarted()) {
            abort(exchange);
            return;
        }
        String reason = StatusCodes.getReason(status);
        String page = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
                + "<!DOCTYPE html>\n<html><head><title>" + status + " " + reason + "</title></head>\n"
                + "<body><h1>" + status + " " + reason + "</h1></body></html>\n";
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, page.length());
        ByteBuffer body = ByteBuffer.wrap(page.getBytes(StandardCharsets.ISO_8859_1));
        if (exchange.isInIoThread()) {
            exchange.getResponseSender().send(body);
        } else {
            // Sent from the I/O thread for the reason Completion gives.
            exchange.dispatch(exchange.getIoThread(), ex -> ex.getResponseSender().send(body));
        }
    }

    /** Cuts the client connection: the response was already under way and cannot be corrected. */
    public static void abort(HttpServerExchange exchange) {
        exchange.setPersistent(false);
        IoUtils.safeClose(exchange.getConnection());
    }
}
