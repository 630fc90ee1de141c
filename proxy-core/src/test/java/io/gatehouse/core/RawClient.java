package io.gatehouse.core;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client on a plain socket whose every step the test takes: it sends a request head and as
 * much of a body as it is told, reads a response head, reads on or stops reading, and leaves.
 *
 * <p>Not thread-safe.
 */
final class RawClient implements Closeable {

    /** A response head: its status and its text. */
    record Head(int status, String text) {
    }

    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    static RawClient connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** With a receive buffer of {@code receiveBuffer} bytes (0: the system's), set before connecting. */
    static RawClient connect(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return new RawClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends the head of a {@code Connection: close} request with a body of {@code contentLength} bytes (0: none). */
    RawClient sendHead(String method, String path, long contentLength) throws IOException {
        String head = method + " " + path + " HTTP/1.1\r\nHost: engine.test\r\nConnection: close\r\n"
                + (contentLength > 0 ? "Content-Length: " + contentLength + "\r\n" : "") + "\r\n";
        return send(head.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends a body-less GET that keeps the connection open after its answer. */
    RawClient sendKeepAliveGet(String path) throws IOException {
        return send(("GET " + path + " HTTP/1.1\r\nHost: engine.test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Half-closes the connection: the client sends nothing more and still reads. */
    void finishSending() throws IOException {
        socket.shutdownOutput();
    }

    /** Sends {@code count} zero bytes of a body. */
    RawClient sendBody(long count) throws IOException {
        byte[] piece = new byte[64 * 1024];
        for (long left = count; left > 0; left -= piece.length) {
            socket.getOutputStream().write(piece, 0, (int) Math.min(piece.length, left));
        }
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads until the response head is complete; fails if it is not within {@code limit}. */
    Head readHead(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String text = received.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                return new Head(Integer.parseInt(text.substring(9, 12)), text.substring(0, end));
            }
            if (readSome(deadline) < 0) {
                throw new AssertionError("the connection ended before a response head: " + text);
            }
        }
    }

    /** Reads to the end of the connection within {@code limit}; returns everything after the head. */
    byte[] readToEnd(Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (readSome(deadline) >= 0) {
            // until the end of the stream
        }
        String text = received.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        byte[] all = received.toByteArray();
        byte[] body = new byte[end < 0 ? 0 : all.length - end - 4];
        System.arraycopy(all, all.length - body.length, body, 0, body.length);
        return body;
    }

    /** Reads at least {@code bytes} bytes more within {@code limit}. */
    void readAtLeast(long bytes, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        long target = received.size() + bytes;
        while (received.size() < target) {
            if (readSome(deadline) < 0) {
                throw new AssertionError("the connection ended after " + received.size() + " bytes");
            }
        }
    }

    /** Bytes received so far, head included. */
    long receivedBytes() {
        return received.size();
    }

    /** One read; -1 at the end of the stream or on a reset; fails at {@code deadline}. */
    private int readSome(long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError("the response did not come in time; so far: "
                    + received.toString(StandardCharsets.ISO_8859_1));
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        byte[] buffer = new byte[64 * 1024];
        int n;
        try {
            n = in.read(buffer);
        } catch (SocketTimeoutException e) {
            return readSome(deadline);
        } catch (IOException reset) {
            return -1;
        }
        if (n > 0) {
            received.write(buffer, 0, n);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
