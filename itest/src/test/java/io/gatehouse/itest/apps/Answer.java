package io.gatehouse.itest.apps;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP answer as the application's client saw it: status, headers (names in lower case, values
 * in the order received) and the body as bytes.
 *
 * <p>Thread-safe as long as nobody writes to the body array, which is not copied.
 *
 * @param status the status code
 * @param headers header values by lower-case name
 * @param body the body, empty for none
 */
record Answer(int status, Map<String, List<String>> headers, byte[] body) {

    /** The first value of {@code name} (any case). */
    Optional<String> header(String name) {
        List<String> values = headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every value of {@code name} (any case), in order. */
    List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The body as UTF-8 text. */
    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A short line for failure messages. */
    @Override
    public String toString() {
        return status + " " + headers + " (" + body.length + " body bytes)";
    }
}
