package io.gatehouse.core.internal.log;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

/**
 * The access log ({@code accesslog.filename}): one line per finished request in
 * {@code accesslog.format}, written when the exchange completes.
 *
 * <p>Thread-safe: lines never interleave. {@link #reopen()} supports rotation.
 */
public final class AccessLog {

    private final Path file;
    private final AccessLogFormat format;
    private final ZoneId zone = ZoneId.systemDefault();
    private OutputStream out;

    public AccessLog(Path file, String format) throws IOException {
        this.file = file;
        this.format = AccessLogFormat.compile(format);
        this.out = open();
    }

    private OutputStream open() throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
    }

    /** Registers the exchange so its line is written when it completes. */
    public void track(HttpServerExchange exchange) {
        exchange.addExchangeCompleteListener(new Listener());
    }

    private final class Listener implements ExchangeCompletionListener {
        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            try {
                StringBuilder line = new StringBuilder(160);
                format.format(new ExchangeEntry(exchange, zone), line);
                line.append('\n');
                write(line.toString().getBytes(StandardCharsets.UTF_8));
            } finally {
                next.proceed();
            }
        }
    }

    private synchronized void write(byte[] line) {
        try {
            out.write(line);
            out.flush();
        } catch (IOException e) {
            System.err.println("gatehouse: cannot write access log " + file + ": " + e.getMessage());
        }
    }

    public synchronized void reopen() throws IOException {
        OutputStream old = out;
        out = open();
        old.close();
    }

    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // closing at shutdown: nothing left to report to
        }
    }

    /** Reads the facts of a finished exchange for the formatter. */
    private static final class ExchangeEntry implements AccessLogEntry {
        private final HttpServerExchange exchange;
        private final ZoneId zone;
        private final long end = System.nanoTime();

        ExchangeEntry(HttpServerExchange exchange, ZoneId zone) {
            this.exchange = exchange;
            this.zone = zone;
        }

        @Override
        public String remoteAddr() {
            return exchange.getSourceAddress() == null ? null : exchange.getSourceAddress().getAddress().getHostAddress();
        }

        @Override
        public String localAddr() {
            return exchange.getDestinationAddress() == null ? null
                    : exchange.getDestinationAddress().getAddress().getHostAddress();
        }

        @Override
        public int localPort() {
            return exchange.getDestinationAddress() == null ? 0 : exchange.getDestinationAddress().getPort();
        }

        @Override
        public String remoteUser() {
            return null;
        }

        @Override
        public ZonedDateTime startTime() {
            long elapsed = durationNanos();
            return ZonedDateTime.ofInstant(Instant.now().minusNanos(elapsed), zone);
        }

        @Override
        public long durationNanos() {
            long start = exchange.getRequestStartTime();
            return start > 0 ? end - start : 0;
        }

        @Override
        public String requestLine() {
            return null;
        }

        @Override
        public String method() {
            return exchange.getRequestMethod().toString();
        }

        @Override
        public String protocol() {
            return exchange.getProtocol().toString();
        }

        @Override
        public String urlPath() {
            return exchange.getRequestURI();
        }

        @Override
        public String queryString() {
            return exchange.getQueryString();
        }

        @Override
        public int status() {
            return exchange.getStatusCode();
        }

        @Override
        public long bytesSent() {
            return exchange.getResponseBytesSent();
        }

        @Override
        public long bytesReceived() {
            return exchange.getRequestContentLength() < 0 ? 0 : exchange.getRequestContentLength();
        }

        @Override
        public String requestHeader(String name) {
            return exchange.getRequestHeaders().getFirst(HttpString.tryFromString(name));
        }

        @Override
        public String responseHeader(String name) {
            return exchange.getResponseHeaders().getFirst(HttpString.tryFromString(name));
        }

        @Override
        public String host() {
            return exchange.getRequestHeaders().getFirst("Host");
        }

        @Override
        public String physicalPath() {
            return null;
        }

        @Override
        public boolean keepAlive() {
            return exchange.isPersistent();
        }

        @Override
        public boolean aborted() {
            return !exchange.isComplete();
        }
    }
}
