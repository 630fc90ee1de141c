package io.gatehouse.itest;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client on one socket, for tests that must see exactly what happens to a
 * connection: whether it stays open across requests (keep-alive), and whether it was closed
 * before a response arrived. Understands Content-Length, chunked and close-delimited bodies.
 *
 * <p>Not thread-safe.
 */
final class RawHttpClient implements AutoCloseable {

    /** A response head larger than this is not one of our test pages. */
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    /** One response: status, the {@code Connection} header (lower case, empty if absent) and the body. */
    record Response(int status, String connection, String body) {
    }

    /** Thrown when the server closed the connection before a single byte of the response. */
    static final class ClosedWithoutResponse extends EOFException {
        ClosedWithoutResponse(String message) {
            super(message);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int port;

    private RawHttpClient(Socket socket, int port) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.port = port;
    }

    /** Connects to 127.0.0.1:{@code port}; a refused connection throws {@link java.net.ConnectException}. */
    static RawHttpClient connect(int port, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            return new RawHttpClient(socket, port);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code GET path} (keep-alive unless {@code close}) and reads the whole response. */
    Response get(String path, boolean close) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n";
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = readHead();
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        long length = -1;
        boolean chunked = false;
        String connection = "";
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> connection = value.toLowerCase(Locale.ROOT);
                default -> {
                }
            }
        }
        String body;
        if (chunked) {
            body = readChunked();
        } else if (length >= 0) {
            body = new String(in.readNBytes((int) length), StandardCharsets.ISO_8859_1);
        } else {
            body = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        return new Response(status, connection, body);
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    throw new ClosedWithoutResponse("connection closed before any response");
                }
                throw new EOFException("connection closed inside the response head");
            }
            head.write(b);
            if (head.size() > MAX_HEAD_BYTES) {
                throw new IOException("response head is over " + MAX_HEAD_BYTES + " bytes");
            }
            matched = (b == '\r' || b == '\n') && isNext(matched, b) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static boolean isNext(int matched, int b) {
        return (matched % 2 == 0) == (b == '\r');
    }

    private String readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                readLine();
                return body.toString(StandardCharsets.ISO_8859_1);
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a chunked body");
            }
            if (b == '\n') {
                return line.toString().trim();
            }
            line.append((char) b);
        }
    }

    boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
