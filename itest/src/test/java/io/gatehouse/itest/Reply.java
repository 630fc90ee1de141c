package io.gatehouse.itest;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.gatehouse.itest.support.Curl;
import io.gatehouse.itest.support.HttpClients;

/**
 * One HTTP response as the end-to-end tests look at it, whichever real client fetched it: the
 * JDK {@code HttpClient} or {@code curl}.
 *
 * @param headers first value of each header, by lower-case name
 */
record Reply(int status, String body, Map<String, String> headers) {

    /** The clients a test can be run with. Stateless and thread-safe. */
    enum Client {
        JDK, CURL;

        /** GETs {@code http://127.0.0.1:<port><pathAndQuery>}. */
        Reply get(int port, String pathAndQuery) throws IOException, InterruptedException {
            return switch (this) {
                case JDK -> of(HttpClients.get(port, pathAndQuery));
                case CURL -> of(Curl.request(HttpClients.uri(port, pathAndQuery)));
            };
        }
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The body's {@code KEY=value} lines (env.php, pathinfo.php), in order. */
    Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                variables.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return variables;
    }

    @Override
    public String toString() {
        return "HTTP " + status + " " + headers + "\n" + body;
    }

    static Reply of(HttpResponse<String> response) {
        Map<String, String> headers = new LinkedHashMap<>();
        response.headers().map().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        return new Reply(response.statusCode(), response.body(), headers);
    }

    static Reply of(Curl.Response response) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> lines = response.headLines();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        return new Reply(response.status(), new String(response.body(), StandardCharsets.UTF_8), headers);
    }
}
