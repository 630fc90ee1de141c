package io.gatehouse.itest.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client at the frame level, over TLS with ALPN {@code h2} or plain (h2c: by prior
 * knowledge or by {@code Upgrade: h2c}), for sending what no well-behaved
 * client sends (a flood of resets, endless CONTINUATION frames, SETTINGS floods) and seeing how the
 * server ends it. Frames are written as RFC 9113 lays them out: a 9-byte header (24-bit length,
 * type, flags, 31-bit stream id) and the payload.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class Http2Frames implements AutoCloseable {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int CONTINUATION = 0x9;

    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;

    /** RST_STREAM's CANCEL, what a browser sends for a navigation it abandons. */
    public static final int CANCEL = 0x8;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A frame the server sent. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        /** GOAWAY's error code. */
        public int goAwayError() {
            return ((payload[4] & 0xff) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8)
                    | (payload[7] & 0xff);
        }
    }

    /** How a connection becomes HTTP/2. */
    public enum Start {
        /** TLS, ALPN {@code h2}. */
        TLS,
        /** Plain, the preface first (h2c by prior knowledge). */
        PRIOR_KNOWLEDGE,
        /** Plain, an HTTP/1.1 GET with {@code Upgrade: h2c} answered 101 first; its response is stream 1. */
        UPGRADE
    }

    private static final byte[] UPGRADE_REQUEST = ("GET /hello.php HTTP/1.1\r\nHost: localhost\r\n"
            + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private Http2Frames(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /**
     * Connects to 127.0.0.1:{@code port} and starts HTTP/2 as {@code start} says, then sends the
     * preface and an empty SETTINGS.
     */
    public static Http2Frames connect(Start start, int port, Duration readTimeout) throws Exception {
        Socket socket = start == Start.TLS
                ? TrustAnything.context().getSocketFactory().createSocket("127.0.0.1", port)
                : new Socket("127.0.0.1", port);
        try {
            socket.setSoTimeout((int) readTimeout.toMillis());
            Http2Frames client = new Http2Frames(socket);
            if (socket instanceof SSLSocket tls) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"h2"});
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                if (!"h2".equals(tls.getApplicationProtocol())) {
                    throw new IOException("ALPN chose " + tls.getApplicationProtocol() + ", not h2");
                }
            } else if (start == Start.UPGRADE) {
                client.out.write(UPGRADE_REQUEST);
                client.out.flush();
                String head = client.readHttp11Head();
                if (!head.startsWith("HTTP/1.1 101 ")) {
                    throw new IOException("Upgrade: h2c answered with " + head);
                }
            }
            client.out.write(PREFACE);
            client.send(SETTINGS, 0, 0, new byte[0]);
            return client;
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }

    /** Reads an HTTP/1.1 response head, up to its blank line. */
    private String readHttp11Head() throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > 8192) {
                throw new IOException("no HTTP/1.1 response head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Writes one frame. */
    public void send(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] header = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream};
        out.write(header);
        out.write(payload);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /**
     * A HEADERS block for {@code GET https://localhost<path>} in HPACK without the dynamic table:
     * indexed {@code :method GET} and {@code :scheme https}, literal {@code :path} and {@code :authority}.
     */
    public static byte[] getRequest(String path) {
        byte[] pathBytes = path.getBytes(StandardCharsets.US_ASCII);
        byte[] authority = "localhost".getBytes(StandardCharsets.US_ASCII);
        if (pathBytes.length > 126) {
            throw new IllegalArgumentException("path too long for a one-byte HPACK length");
        }
        byte[] block = new byte[2 + 2 + pathBytes.length + 2 + authority.length];
        int i = 0;
        block[i++] = (byte) 0x82; // :method GET (static index 2)
        block[i++] = (byte) 0x87; // :scheme https (static index 7)
        block[i++] = 0x04; // :path, literal without indexing, name index 4
        block[i++] = (byte) pathBytes.length;
        System.arraycopy(pathBytes, 0, block, i, pathBytes.length);
        i += pathBytes.length;
        block[i++] = 0x01; // :authority, literal without indexing, name index 1
        block[i++] = (byte) authority.length;
        System.arraycopy(authority, 0, block, i, authority.length);
        return block;
    }

    /** A 4-byte error code payload (RST_STREAM). */
    public static byte[] errorCode(int code) {
        return new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8), (byte) code};
    }

    /** The next frame, or null when the server closed the connection. */
    public Frame read() throws IOException {
        byte[] header = new byte[9];
        try {
            in.readFully(header);
        } catch (EOFException e) {
            return null;
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return null; // reset by the server: closed as well
        }
        int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (IOException e) {
            return null;
        }
        int stream = ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8)
                | (header[8] & 0xff);
        return new Frame(header[3] & 0xff, header[4] & 0xff, stream, payload);
    }

    /** Reads until a GOAWAY or the end of the connection; returns the GOAWAY, or null when it closed without one. */
    public Frame awaitGoAway() throws IOException {
        for (Frame frame = read(); frame != null; frame = read()) {
            if (frame.type() == GOAWAY) {
                return frame;
            }
        }
        return null;
    }

    /** Reads frames until the server closes; true if it did before {@code timeout} (the socket's read timeout). */
    public boolean closedByServer() {
        try {
            while (read() != null) {
                // drain
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
