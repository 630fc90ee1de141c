package io.gatehouse.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The CGI application behind every proxy test, the same for FastCGI and SCGI: what it does is
 * chosen by SCRIPT_NAME (check-local is off in these tests, so that is the URL path).
 */
final class TestApp {

    private TestApp() {
    }

    static void handle(Map<String, String> env, InputStream body, OutputStream out) throws IOException {
        String script = env.getOrDefault("SCRIPT_NAME", "");
        String query = env.getOrDefault("QUERY_STRING", "");
        switch (script) {
            case "/env" -> {
                StringBuilder text = new StringBuilder();
                for (Map.Entry<String, String> e : env.entrySet()) {
                    text.append(e.getKey()).append('=').append(e.getValue()).append('\n');
                }
                send(out, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n" + text);
            }
            case "/upload" -> {
                MessageDigest sha = sha256();
                byte[] buffer = new byte[32 * 1024];
                long total = 0;
                int n;
                while ((n = body.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                    total += n;
                }
                send(out, "Content-Type: text/plain\r\n\r\nlength=" + total + " sha256="
                        + HexFormat.of().formatHex(sha.digest()));
            }
            case "/echo" -> {
                out.write("Content-Type: application/octet-stream\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                body.transferTo(out);
            }
            case "/download" -> {
                long bytes = Long.parseLong(param(query, "bytes", "0"));
                out.write(("Content-Type: application/octet-stream\r\nContent-Length: " + bytes + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                writePattern(out, bytes);
            }
            case "/pieces" -> {
                // n pieces of `bytes` bytes each, flushed ms apart, without a Content-Length
                int pieces = Integer.parseInt(param(query, "n", "1"));
                int bytes = Integer.parseInt(param(query, "bytes", "1"));
                send(out, "Content-Type: text/plain\r\n\r\n");
                for (int i = 0; i < pieces; i++) {
                    out.write(String.valueOf((char) ('a' + i % 26)).repeat(bytes).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    sleep(Long.parseLong(param(query, "ms", "0")));
                }
            }
            case "/status" -> send(out, "Status: " + param(query, "code", "200") + " Custom\r\n\r\nstatus body");
            case "/location" -> send(out, "Location: /elsewhere\r\n\r\n");
            case "/garbage" -> send(out, "this is not a CGI header line\r\n\r\n");
            case "/nothing" -> {
                // ends the response without a byte: the proxy must answer 500
            }
            case "/truncated-head" -> send(out, "Content-Type: text/plain\r\nX-Cut: ");
            case "/hang" -> sleep(Long.parseLong(param(query, "ms", "5000")));
            case "/slow" -> {
                sleep(Long.parseLong(param(query, "ms", "1000")));
                send(out, "Content-Type: text/plain\r\n\r\nslow done");
            }
            case "/nph" -> send(out, "HTTP/1.1 201 Made\r\nContent-Type: text/plain\r\n\r\nmade");
            default -> send(out, "Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno test page " + script);
        }
        out.flush();
    }

    /** The body {@code /download} sends: byte i is {@code i % 251}, so truncation and reordering show. */
    static void writePattern(OutputStream out, long bytes) throws IOException {
        byte[] chunk = new byte[251 * 64];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i % 251);
        }
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            out.write(chunk, 0, n);
            left -= n;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String param(String query, String name, String fallback) {
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return fallback;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
