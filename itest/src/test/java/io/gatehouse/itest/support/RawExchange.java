package io.gatehouse.itest.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes written on one fresh connection, and everything the server answered until it closed the
 * connection or went quiet: for tests that must see exactly what a hostile request gets, how many
 * responses, and whether the connection was closed after them.
 *
 * @param text   the answer, one char per byte
 * @param closed whether the server closed the connection (EOF or reset) within the wait
 */
public record RawExchange(String text, boolean closed) {

    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.[01] (\\d{3}) ");

    /** Sends {@code request} to 127.0.0.1:{@code port} and reads until EOF or {@code quietMillis} of silence. */
    public static RawExchange send(int port, String request, int quietMillis) throws IOException {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1), quietMillis);
    }

    public static RawExchange send(int port, byte[] request, int quietMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(quietMillis);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return readAll(socket.getInputStream());
        }
    }

    /** Reads until EOF, a reset, or silence; a reset counts as closed. */
    public static RawExchange readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        boolean closed;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException e) {
            closed = true;
        }
        return new RawExchange(out.toString(StandardCharsets.ISO_8859_1), closed);
    }

    /** How many responses the answer holds (status lines at the start of a line). */
    public int responses() {
        Matcher m = STATUS_LINE.matcher(text);
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    /** The status of the first response, or -1 when nothing came. */
    public int status() {
        Matcher m = STATUS_LINE.matcher(text);
        return m.find() && m.start() == 0 ? Integer.parseInt(m.group(1)) : -1;
    }

    @Override
    public String toString() {
        return (closed ? "closed" : "open") + ": " + (text.length() > 600 ? text.substring(0, 600) + "…" : text);
    }
}
