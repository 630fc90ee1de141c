package io.gatehouse.spawn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Minimal FastCGI and SCGI clients written from the protocol specs, so the spawner's tests talk
 * to the children exactly as a web server would, over real sockets, with a deadline on every read.
 */
final class TestClients {

    private static final int FCGI_VERSION = 1;
    private static final int BEGIN_REQUEST = 1;
    private static final int END_REQUEST = 3;
    private static final int PARAMS = 4;
    private static final int STDIN = 5;
    private static final int STDOUT = 6;
    private static final int STDERR = 7;
    private static final int RESPONDER = 1;
    private static final int MAX_RECORD_CONTENT = 65535;

    private TestClients() {
    }

    /** Sends one FastCGI request and returns its STDOUT (ISO-8859-1); fails after {@code timeout}. */
    static String fcgi(SocketAddress address, Map<String, String> params, byte[] body, Duration timeout)
            throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        record(request, BEGIN_REQUEST, new byte[] {0, RESPONDER, 0, 0, 0, 0, 0, 0});
        ByteArrayOutputStream pairs = new ByteArrayOutputStream();
        params.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
            byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
            length(pairs, n.length);
            length(pairs, v.length);
            pairs.writeBytes(n);
            pairs.writeBytes(v);
        });
        chunked(request, PARAMS, pairs.toByteArray());
        record(request, PARAMS, new byte[0]);
        chunked(request, STDIN, body);
        record(request, STDIN, new byte[0]);

        byte[] response = exchange(address, request.toByteArray(), timeout, TestClients::fcgiComplete);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int at = 0;
        while (at + 8 <= response.length) {
            int type = response[at + 1] & 0xff;
            int length = ((response[at + 4] & 0xff) << 8) | (response[at + 5] & 0xff);
            int padding = response[at + 6] & 0xff;
            if (type == STDOUT) {
                stdout.write(response, at + 8, length);
            } else if (type != STDERR && type != END_REQUEST) {
                throw new IOException("unexpected FastCGI record type " + type);
            }
            at += 8 + length + padding;
        }
        return stdout.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends one SCGI request and returns the whole response (ISO-8859-1). */
    static String scgi(SocketAddress address, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        ByteArrayOutputStream netstring = new ByteArrayOutputStream();
        header(netstring, "CONTENT_LENGTH", Integer.toString(body.length));
        header(netstring, "SCGI", "1");
        headers.forEach((name, value) -> header(netstring, name, value));
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes((netstring.size() + ":").getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(netstring.toByteArray());
        request.write(',');
        request.writeBytes(body);
        return new String(exchange(address, request.toByteArray(), timeout, bytes -> false),
                StandardCharsets.ISO_8859_1);
    }

    private static void header(ByteArrayOutputStream out, String name, String value) {
        out.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
        out.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
    }

    /** True once the bytes end with a complete END_REQUEST record. */
    private static boolean fcgiComplete(byte[] bytes) {
        int at = 0;
        while (at + 8 <= bytes.length) {
            int length = ((bytes[at + 4] & 0xff) << 8) | (bytes[at + 5] & 0xff);
            int next = at + 8 + length + (bytes[at + 6] & 0xff);
            if (next > bytes.length) {
                return false;
            }
            if ((bytes[at + 1] & 0xff) == END_REQUEST) {
                return true;
            }
            at = next;
        }
        return false;
    }

    private interface Completion {
        boolean complete(byte[] soFar);
    }

    /** Writes {@code request}, then reads until EOF or {@code done}; fails after {@code timeout}. */
    private static byte[] exchange(SocketAddress address, byte[] request, Duration timeout, Completion done)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
             Selector selector = Selector.open()) {
            channel.connect(address);
            channel.configureBlocking(false);
            ByteBuffer out = ByteBuffer.wrap(request);
            SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                await(selector, deadline, address);
                channel.write(out);
            }
            key.interestOps(SelectionKey.OP_READ);
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            while (true) {
                await(selector, deadline, address);
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    return in.toByteArray();
                }
                in.write(buffer.array(), 0, n);
                if (done.complete(in.toByteArray())) {
                    return in.toByteArray();
                }
            }
        }
    }

    private static void await(Selector selector, long deadline, SocketAddress address) throws IOException {
        selector.selectedKeys().clear();
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0 || selector.select(left) == 0 && System.nanoTime() - deadline >= 0) {
            throw new IOException("no complete answer from " + address + " before the deadline");
        }
    }

    private static void chunked(ByteArrayOutputStream out, int type, byte[] content) {
        for (int at = 0; at < content.length; at += MAX_RECORD_CONTENT) {
            int length = Math.min(MAX_RECORD_CONTENT, content.length - at);
            byte[] part = new byte[length];
            System.arraycopy(content, at, part, 0, length);
            record(out, type, part);
        }
    }

    private static void record(ByteArrayOutputStream out, int type, byte[] content) {
        out.write(FCGI_VERSION);
        out.write(type);
        out.write(0);
        out.write(1);
        out.write(content.length >> 8);
        out.write(content.length & 0xff);
        out.write(0);
        out.write(0);
        out.writeBytes(content);
    }

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
