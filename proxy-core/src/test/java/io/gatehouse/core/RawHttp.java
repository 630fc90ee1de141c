package io.gatehouse.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Sends hand-written HTTP/1.1 requests (headers the JDK client refuses to send, chunked bodies)
 * and reads the whole response of a {@code Connection: close} exchange.
 */
final class RawHttp {

    /** A parsed response: status, head as text, and the body bytes as they came. */
    record Response(int status, String head, byte[] body) {

        /** The body's content as text: de-chunked when the head says chunked. */
        String bodyText() {
            String raw = new String(body, StandardCharsets.ISO_8859_1);
            return head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked") ? dechunk(raw) : raw;
        }
    }

    /** The data of a chunked body; throws on anything but well-formed chunks ending with the last one. */
    static String dechunk(String body) {
        StringBuilder data = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = body.indexOf("\r\n", at);
            if (lineEnd <= at) {
                throw new IllegalArgumentException("no chunk size line at " + at);
            }
            int size = Integer.parseInt(body.substring(at, lineEnd), 16);
            at = lineEnd + 2;
            if (size == 0) {
                if (!body.substring(at).equals("\r\n")) {
                    throw new IllegalArgumentException("the body does not end with the last chunk");
                }
                return data.toString();
            }
            data.append(body, at, at + size);
            at += size;
            if (!body.startsWith("\r\n", at)) {
                throw new IllegalArgumentException("a chunk does not end with CRLF at " + at);
            }
            at += 2;
        }
    }

    private RawHttp() {
    }

    static Response exchange(int port, String requestHead, byte[] body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                socket.getOutputStream().write(body);
            }
            socket.getOutputStream().flush();
            byte[] all = readAll(socket.getInputStream());
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new IOException("no complete response head in: " + text);
            }
            String head = text.substring(0, end);
            int status = Integer.parseInt(head.substring(9, 12));
            byte[] rest = new byte[all.length - end - 4];
            System.arraycopy(all, end + 4, rest, 0, rest.length);
            return new Response(status, head, rest);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
