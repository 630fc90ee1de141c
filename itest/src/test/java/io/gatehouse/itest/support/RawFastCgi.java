package io.gatehouse.itest.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough FastCGI, written by hand, to check a backend fixture without the product's codec:
 * one responder request per connection (BEGIN_REQUEST, PARAMS, empty PARAMS, STDIN, empty
 * STDIN), then records are read until END_REQUEST. Wire format of every record:
 * {@code version(1)=1 type(1) requestId(2) contentLength(2) paddingLength(1) reserved(1) content padding}.
 *
 * <p>Stateless and thread-safe; each call opens its own connection.
 */
final class RawFastCgi {

    /** Reply of one request: raw CGI response (headers and body) on STDOUT, anything on STDERR. */
    record Reply(byte[] stdout, String stderr, int appStatus, int protocolStatus) {

        String stdoutText() {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }

        /** The CGI body: what follows the first blank line of STDOUT. */
        byte[] body() {
            String text = stdoutText();
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? new byte[0] : Arrays.copyOfRange(stdout, end + 4, stdout.length);
        }
    }

    private static final int BEGIN_REQUEST = 1;
    private static final int END_REQUEST = 3;
    private static final int PARAMS = 4;
    private static final int STDIN = 5;
    private static final int STDOUT = 6;
    private static final int STDERR = 7;
    private static final int RESPONDER = 1;
    private static final int REQUEST_ID = 1;
    private static final int HEADER_LENGTH = 8;
    /** contentLength is a 16-bit field. */
    private static final int MAX_CONTENT = 0xFFFF;
    /** Bodies the fixture tests read are small; a larger reply means something is wrong. */
    private static final int MAX_REPLY_BYTES = 64 * 1024 * 1024;

    private RawFastCgi() {
    }

    /**
     * The CGI variables a front end sends for {@code method scriptName+pathInfo?query} with a
     * body of {@code contentLength} bytes; callers add CONTENT_TYPE and HTTP_* as needed.
     */
    static Map<String, String> cgiParams(Path docroot, String method, String scriptName, String pathInfo,
            String query, int contentLength) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("CONTENT_LENGTH", Integer.toString(contentLength));
        params.put("QUERY_STRING", query);
        params.put("REQUEST_URI", scriptName + pathInfo + (query.isEmpty() ? "" : "?" + query));
        params.put("SCRIPT_NAME", scriptName);
        if (!pathInfo.isEmpty()) {
            params.put("PATH_INFO", pathInfo);
        }
        params.put("SCRIPT_FILENAME", docroot + scriptName);
        params.put("DOCUMENT_ROOT", docroot.toString());
        params.put("REQUEST_METHOD", method);
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        params.put("GATEWAY_INTERFACE", "CGI/1.1");
        params.put("SERVER_NAME", "localhost");
        params.put("SERVER_PORT", "80");
        params.put("REMOTE_ADDR", "127.0.0.1");
        return params;
    }

    static Reply request(Path socket, Map<String, String> params, byte[] stdin, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            record(out, BEGIN_REQUEST, new byte[] {0, RESPONDER, 0, 0, 0, 0, 0, 0});
            ByteArrayOutputStream pairs = new ByteArrayOutputStream();
            for (Map.Entry<String, String> e : params.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] value = e.getValue().getBytes(StandardCharsets.UTF_8);
                length(pairs, name.length);
                length(pairs, value.length);
                pairs.write(name);
                pairs.write(value);
            }
            stream(out, PARAMS, pairs.toByteArray());
            stream(out, STDIN, stdin);
            channel.configureBlocking(false);
            return exchange(channel, selector, ByteBuffer.wrap(out.toByteArray()), deadline);
        }
    }

    /** Writes the request and reads the reply together, so a backend that answers early cannot deadlock us. */
    private static Reply exchange(SocketChannel channel, Selector selector, ByteBuffer request, long deadline)
            throws IOException {
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH + MAX_CONTENT + 255);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("no END_REQUEST before the deadline; stdout so far: "
                        + stdout.toString(StandardCharsets.ISO_8859_1));
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            if (request.hasRemaining()) {
                channel.write(request);
                if (!request.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (read(channel, buffer) < 0) {
                throw new IOException("backend closed before END_REQUEST");
            }
            buffer.flip();
            while (buffer.remaining() >= HEADER_LENGTH) {
                int type = buffer.get(buffer.position() + 1) & 0xFF;
                int length = buffer.getShort(buffer.position() + 4) & 0xFFFF;
                int padding = buffer.get(buffer.position() + 6) & 0xFF;
                if (buffer.remaining() < HEADER_LENGTH + length + padding) {
                    break;
                }
                byte[] content = new byte[length];
                buffer.position(buffer.position() + HEADER_LENGTH).get(content);
                buffer.position(buffer.position() + padding);
                switch (type) {
                    case STDOUT -> stdout.write(content);
                    case STDERR -> stderr.write(content);
                    case END_REQUEST -> {
                        ByteBuffer end = ByteBuffer.wrap(content);
                        return new Reply(stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8),
                                end.getInt(), end.get() & 0xFF);
                    }
                    default -> throw new IOException("unexpected FastCGI record type " + type);
                }
                if (stdout.size() > MAX_REPLY_BYTES) {
                    throw new IOException("reply larger than " + MAX_REPLY_BYTES + " bytes");
                }
            }
            buffer.compact();
        }
    }

    /** A reset is the same event as an orderly close for us: the backend gave up on the request. */
    private static int read(SocketChannel channel, ByteBuffer buffer) throws IOException {
        try {
            return channel.read(buffer);
        } catch (IOException e) {
            throw new IOException("backend closed before END_REQUEST: " + e.getMessage(), e);
        }
    }

    /** A stream's content in records of at most {@link #MAX_CONTENT} bytes, then the empty end record. */
    private static void stream(ByteArrayOutputStream out, int type, byte[] content) {
        for (int from = 0; from < content.length; from += MAX_CONTENT) {
            record(out, type, Arrays.copyOfRange(content, from, Math.min(content.length, from + MAX_CONTENT)));
        }
        record(out, type, new byte[0]);
    }

    private static void record(ByteArrayOutputStream out, int type, byte[] content) {
        out.write(1);
        out.write(type);
        out.write(REQUEST_ID >> 8);
        out.write(REQUEST_ID & 0xFF);
        out.write(content.length >> 8);
        out.write(content.length & 0xFF);
        out.write(0);
        out.write(0);
        out.writeBytes(content);
    }

    /** Name-value pair lengths: one byte below 128, else four bytes with the top bit set. */
    private static void length(ByteArrayOutputStream out, int length) {
        if (length < 128) {
            out.write(length);
        } else {
            out.write((length >> 24) | 0x80);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
    }
}
