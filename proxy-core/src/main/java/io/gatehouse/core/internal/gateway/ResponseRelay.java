package io.gatehouse.core.internal.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.gatehouse.core.internal.cgi.BadGatewayException;
import io.gatehouse.core.internal.cgi.CgiResponseHead;
import io.gatehouse.core.internal.cgi.CgiResponseParser;
import io.gatehouse.core.internal.cgi.ChunkedBodyDecoder;
import io.gatehouse.core.internal.log.ErrorLog;
import io.gatehouse.core.internal.protocol.PrematureEofException;
import io.gatehouse.core.internal.protocol.ResponseSink;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

/**
 * Turns the CGI response a backend writes into the HTTP response: parses the head, sets status
 * and headers on the exchange, and streams the body to the client as it arrives (for an HTTP/1.0
 * client a body without a length is held first, see {@link Http10LengthBuffer}).
 *
 * <p>Not thread-safe: used by the I/O thread that reads the backend.
 */
final class ResponseRelay implements ResponseSink {

    private final HttpServerExchange exchange;
    private final ErrorLog errorLog;
    private final String backend;
    private final CgiResponseParser parser = new CgiResponseParser();
    private CgiResponseHead head;
    private ChunkedBodyDecoder dechunker;
    private ByteBuffer dechunked;
    private final ClientWriter writer;
    private boolean bodyComplete;
    private boolean sawOutput;
    /** The body held for an HTTP/1.0 client until its length is known, or null when not holding. */
    private Http10LengthBuffer lengthBuffer;
    /** Body bytes the backend's Content-Length still allows; negative when it sent none. */
    private long declaredLeft = -1;
    private boolean overrunLogged;

    /** How body bytes reach the client. */
    interface ClientWriter {

        /**
         * Takes all of {@code data}: writes it, or keeps it, possibly as a view, until the backend
         * read it came from is handled. Its bytes must not change before then.
         */
        void write(ByteBuffer data) throws IOException;
    }

    ResponseRelay(HttpServerExchange exchange, ErrorLog errorLog, String backend, ClientWriter writer) {
        this.exchange = exchange;
        this.errorLog = errorLog;
        this.backend = backend;
        this.writer = writer;
    }

    @Override
    public void stdout(ByteBuffer data) throws IOException {
        if (data.hasRemaining()) {
            sawOutput = true;
        }
        while (head == null && data.hasRemaining()) {
            if (!parser.parse(data)) {
                return;
            }
            CgiResponseHead parsed = parser.head();
            if (parsed.status() < 200) {
                // Interim responses (103 Early Hints) are not forwarded: Undertow's exchange
                // cannot send one before the final head.
                parser.continueAfterInterim();
                continue;
            }
            commit(parsed);
        }
        if (head != null && data.hasRemaining()) {
            writeBody(data);
        }
    }

    @Override
    public void stderr(ByteBuffer data) {
        String text = StandardCharsets.UTF_8.decode(data).toString();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                errorLog.info("gw-backend",
                        "FastCGI-stderr (" + backend + "): " + escapeControls(line.stripTrailing()));
            }
        }
    }

    /**
     * {@code line} with its control characters but tab written as {@code \xNN}: what a backend
     * writes to stderr goes into a log an operator reads on a terminal, where an escape sequence
     * would act and a carriage return would hide what came before it on the line.
     */
    static String escapeControls(String line) {
        StringBuilder escaped = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            boolean control = (c < 0x20 && c != '\t') || c == 0x7f;
            if (control && escaped == null) {
                escaped = new StringBuilder(line.length() + 16).append(line, 0, i);
            }
            if (control) {
                escaped.append(String.format("\\x%02x", (int) c));
            } else if (escaped != null) {
                escaped.append(c);
            }
        }
        return escaped == null ? line : escaped.toString();
    }

    private void commit(CgiResponseHead parsed) {
        head = parsed;
        exchange.setStatusCode(parsed.status());
        if (parsed.reason() != null && !parsed.reason().isEmpty()) {
            exchange.setReasonPhrase(parsed.reason());
        }
        HeaderMap headers = exchange.getResponseHeaders();
        for (Map.Entry<String, String> header : parsed.headers()) {
            headers.add(HttpString.tryFromString(header.getKey()), header.getValue());
        }
        if (parsed.chunked()) {
            headers.remove(Headers.CONTENT_LENGTH);
            dechunker = new ChunkedBodyDecoder();
            dechunked = ByteBuffer.allocate(64 * 1024);
        } else if (parsed.contentLength() >= 0) {
            headers.put(Headers.CONTENT_LENGTH, parsed.contentLength());
            declaredLeft = parsed.contentLength();
        }
        if (parsed.closeConnection()) {
            exchange.setPersistent(false);
        }
        if (Http10LengthBuffer.appliesTo(exchange, parsed)) {
            lengthBuffer = new Http10LengthBuffer();
        }
    }

    private void writeBody(ByteBuffer data) throws IOException {
        if (dechunker == null) {
            write(declaredLeft < 0 ? data : withinDeclaredLength(data));
            return;
        }
        while (data.hasRemaining() && !bodyComplete) {
            dechunked.clear();
            bodyComplete = dechunker.decode(data, dechunked);
            dechunked.flip();
            // The writer keeps a view of what it is given until the read is handled; this buffer is reused.
            write(ByteBuffer.allocate(dechunked.remaining()).put(dechunked).flip());
        }
        data.position(data.limit()); // bytes after the last chunk are not part of the response
    }

    /**
     * What of {@code data} the backend's Content-Length allows; {@code data} itself is taken whole.
     * Bytes beyond the length are dropped, as lighttpd drops them: the client gets the length it
     * was told, and its connection stays in step for the next request. (Undertow's fixed-length
     * channel would take none of them, and the response would never end.)
     */
    private ByteBuffer withinDeclaredLength(ByteBuffer data) {
        if (data.remaining() <= declaredLeft) {
            declaredLeft -= data.remaining();
            return data;
        }
        ByteBuffer allowed = data.slice(data.position(), (int) declaredLeft);
        if (!overrunLogged) {
            overrunLogged = true;
            errorLog.warn("gw-backend", "response from " + backend + " is longer than its Content-Length ("
                    + head.contentLength() + " bytes): the rest is dropped");
        }
        declaredLeft = 0;
        data.position(data.limit());
        return allowed;
    }

    private void write(ByteBuffer data) throws IOException {
        if (!data.hasRemaining()) {
            return;
        }
        if (lengthBuffer != null) {
            if (lengthBuffer.hold(data)) {
                return;
            }
            // Past the limit: the body goes out as it comes and the close delimits it.
            ByteBuffer held = lengthBuffer.drain();
            lengthBuffer = null;
            if (held.hasRemaining()) {
                writer.write(held);
            }
        }
        writer.write(data);
    }

    /** The response ended within the limit: what was held goes out with its length. */
    private void releaseWithLength() throws IOException {
        ByteBuffer body = lengthBuffer.drain();
        lengthBuffer = null;
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.remaining());
        write(body);
    }

    /** The backend this response comes from, as the logs name it. */
    String backend() {
        return backend;
    }

    /** True once the backend sent any response byte. */
    boolean sawOutput() {
        return sawOutput;
    }

    /**
     * Called when the backend's response has ended: a response without a complete head is an
     * error (500 when the backend said nothing at all, 502 when its headers were cut off).
     */
    void finish() throws IOException {
        if (head != null) {
            if (dechunker != null && !bodyComplete) {
                throw new PrematureEofException("chunked response from " + backend + " ended before the last chunk");
            }
            if (lengthBuffer != null) {
                releaseWithLength();
            }
            return;
        }
        if (!sawOutput) {
            throw new PrematureEofException("response not received from " + backend + ", request sent");
        }
        throw new BadGatewayException("response from " + backend + " ended inside its headers");
    }
}
