package io.gatehouse.itest.apps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.gatehouse.itest.support.HttpClients;

/**
 * A browser-like client of one application behind one front end: it keeps the cookies the
 * application sets (name and value; a cookie set to expire is dropped) and sends them back, and
 * it follows no redirect (the scenario looks at each 3xx itself). Requests go through the shared
 * JDK client, so a test class opens no descriptors of its own.
 *
 * <p>Not thread-safe: one scripted session at a time.
 */
final class AppClient {

    private static final String MULTIPART_BOUNDARY = "gatehouse-e2e-boundary-7d1f";

    private final int port;
    private final Map<String, String> cookies = new LinkedHashMap<>();

    AppClient(int port) {
        this.port = port;
    }

    /** GET {@code pathAndQuery} with extra headers given as name, value, name, value... */
    Answer get(String pathAndQuery, String... headerPairs) {
        return send(builder(pathAndQuery, headerPairs).GET());
    }

    /** POST of {@code fields} as {@code application/x-www-form-urlencoded}, in the order given. */
    Answer postForm(String pathAndQuery, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return send(builder(pathAndQuery, "Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** POST as {@code multipart/form-data}: {@code fields}, then one file part. */
    Answer postMultipart(String pathAndQuery, Map<String, String> fields, String fileField, String fileName,
            String fileType, byte[] file) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            write(body, "--" + MULTIPART_BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field.getKey()
                    + "\"\r\n\r\n" + field.getValue() + "\r\n");
        }
        write(body, "--" + MULTIPART_BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + fileField
                + "\"; filename=\"" + fileName + "\"\r\nContent-Type: " + fileType + "\r\n\r\n");
        body.writeBytes(file);
        write(body, "\r\n--" + MULTIPART_BOUNDARY + "--\r\n");
        return send(builder(pathAndQuery, "Content-Type", "multipart/form-data; boundary=" + MULTIPART_BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    private HttpRequest.Builder builder(String pathAndQuery, String... headerPairs) {
        HttpRequest.Builder builder = HttpClients.request(port, pathAndQuery);
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            builder.header(headerPairs[i], headerPairs[i + 1]);
        }
        if (!cookies.isEmpty()) {
            builder.header("Cookie", cookies.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")));
        }
        return builder;
    }

    private Answer send(HttpRequest.Builder request) {
        HttpResponse<byte[]> response;
        try {
            response = HttpClients.client().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("request to 127.0.0.1:" + port + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Map<String, List<String>> headers = new TreeMap<>();
        response.headers().map().forEach((name, values) ->
                headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
        for (String setCookie : headers.getOrDefault("set-cookie", List.of())) {
            remember(setCookie);
        }
        return new Answer(response.statusCode(), headers, response.body());
    }

    /** Keeps {@code name=value} of a Set-Cookie; one that expires it (PHP's {@code deleted}) removes it. */
    private void remember(String setCookie) {
        String[] parts = setCookie.split(";");
        int eq = parts[0].indexOf('=');
        if (eq <= 0) {
            return;
        }
        String name = parts[0].substring(0, eq).trim();
        String value = parts[0].substring(eq + 1).trim();
        boolean expired = setCookie.toLowerCase(Locale.ROOT).contains("max-age=0") || value.equals("deleted");
        if (expired) {
            cookies.remove(name);
        } else {
            cookies.put(name, value);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
