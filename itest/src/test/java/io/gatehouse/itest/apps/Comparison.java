package io.gatehouse.itest.apps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assertions;

/**
 * Compares the answers of one scripted session run through lighttpd and through gatehouse, step by
 * step: the status, the headers an application and its clients depend on, the names and attributes
 * of the cookies set, and the body, each after masking what legitimately differs between two runs
 * (the port, dates, tokens, session ids: the {@code masks}). Differences are collected, not thrown
 * at once, so one run shows all of them; those listed as {@link KnownDifference}s are reported and
 * skipped, every other one fails {@link #assertNoUnexplainedDifferences()}.
 *
 * <p>Not thread-safe.
 */
final class Comparison {

    /** Headers compared whenever either side sends them. */
    static final List<String> COMPARED_HEADERS = List.of("location", "content-type", "content-length",
            "content-range", "content-disposition", "accept-ranges", "etag", "last-modified", "cache-control",
            "expires", "pragma", "vary", "content-encoding");
    /** The value compared for a header that is not sent. */
    static final String NONE = "<none>";
    /**
     * Times that differ between two runs of any application: HTTP dates (headers, cookie
     * attributes), dates with a time as pages show them ({@code 2026-12-03 10:13:09 +0000},
     * {@code 2026/12/03 10:13}) and ages ({@code 1 seconds ago}, {@code 3 minutes}).
     */
    private static final List<Pattern> TIMES = List.of(
            Pattern.compile("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d[ -][A-Z][a-z]{2}[ -]\\d{4} \\d\\d:\\d\\d:\\d\\d GMT"),
            Pattern.compile("\\d{4}[/-]\\d\\d[/-]\\d\\d[ T]\\d\\d:\\d\\d(:\\d\\d)?( ?([+-]\\d\\d:?\\d\\d|Z))?"),
            Pattern.compile("\\b\\d+ (second|minute|hour|day|week|month|year)s?\\b"));
    /** Lines of a differing text body shown around the first difference. */
    private static final int CONTEXT_CHARS = 160;

    private final Map<Pattern, String> masks;
    private final List<KnownDifference> known;
    private final Map<Side, Integer> ports;
    private final List<String> unexplained = new ArrayList<>();
    private final Set<String> knownSeen = new LinkedHashSet<>();
    private int steps;

    /**
     * @param masks regular expressions and their replacements, applied in order to bodies and header
     *        values of both sides (after each side's port is replaced by {@code <port>})
     * @param known the differences to report and skip
     * @param ports each side's port
     */
    Comparison(Map<Pattern, String> masks, List<KnownDifference> known, Map<Side, Integer> ports) {
        this.masks = masks;
        this.known = known;
        this.ports = ports;
    }

    /** Compares one step's answers; {@code step} names it in messages and for known differences. */
    void compare(String step, Map<Side, Answer> answers) {
        steps++;
        Answer lighttpd = answers.get(Side.LIGHTTPD);
        Answer gatehouse = answers.get(Side.GATEHOUSE);
        check(step, "status", Integer.toString(lighttpd.status()), Integer.toString(gatehouse.status()));
        for (String header : COMPARED_HEADERS) {
            check(step, "header:" + header, headerValue(Side.LIGHTTPD, lighttpd, header),
                    headerValue(Side.GATEHOUSE, gatehouse, header));
        }
        check(step, "set-cookie", cookies(Side.LIGHTTPD, lighttpd), cookies(Side.GATEHOUSE, gatehouse));
        checkBody(step, lighttpd, gatehouse);
    }

    private String headerValue(Side side, Answer answer, String name) {
        List<String> values = answer.headers(name);
        return values.isEmpty() ? NONE : mask(side, String.join(", ", values));
    }

    /** Each cookie as {@code name=<value>; attributes}: the value is the application's, never compared. */
    private String cookies(Side side, Answer answer) {
        return answer.headers("set-cookie").stream()
                .map(c -> mask(side, c.replaceFirst("=[^;]*", "=<value>")))
                .sorted()
                .collect(Collectors.joining(" | "));
    }

    private void checkBody(String step, Answer lighttpd, Answer gatehouse) {
        String type = lighttpd.header("content-type").orElse("").toLowerCase(Locale.ROOT);
        boolean text = type.startsWith("text/") || type.contains("xml") || type.contains("json")
                || type.contains("javascript");
        if (text) {
            check(step, "body", mask(Side.LIGHTTPD, lighttpd.text()), mask(Side.GATEHOUSE, gatehouse.text()));
        } else if (!Arrays.equals(lighttpd.body(), gatehouse.body())) {
            check(step, "body", describeBytes(lighttpd.body()), describeBytes(gatehouse.body()));
        }
    }

    private static String describeBytes(byte[] body) {
        return body.length + " bytes, hash " + Arrays.hashCode(body);
    }

    /** {@code s} with the side's port and every time replaced, then the application's masks applied. */
    String mask(Side side, String s) {
        String masked = s.replace("127.0.0.1:" + ports.get(side), "127.0.0.1:<port>");
        for (Pattern time : TIMES) {
            masked = time.matcher(masked).replaceAll("<time>");
        }
        for (Map.Entry<Pattern, String> mask : masks.entrySet()) {
            masked = mask.getKey().matcher(masked).replaceAll(mask.getValue());
        }
        return masked;
    }

    private void check(String step, String aspect, String lighttpd, String gatehouse) {
        if (Objects.equals(lighttpd, gatehouse)) {
            return;
        }
        for (KnownDifference difference : known) {
            if (difference.covers(step, aspect, gatehouse)) {
                knownSeen.add(aspect + ": " + difference.reason());
                return;
            }
        }
        unexplained.add(step + " — " + aspect + "\n    lighttpd:  " + excerpt(lighttpd, gatehouse)
                + "\n    gatehouse: " + excerpt(gatehouse, lighttpd));
    }

    /** Around the first character where {@code a} and {@code b} differ, for long values. */
    private static String excerpt(String a, String b) {
        if (a.length() <= CONTEXT_CHARS) {
            return a;
        }
        int at = 0;
        while (at < a.length() && at < b.length() && a.charAt(at) == b.charAt(at)) {
            at++;
        }
        int from = Math.max(0, at - CONTEXT_CHARS / 2);
        return "…[" + from + "]" + a.substring(from, Math.min(a.length(), from + CONTEXT_CHARS))
                .replace("\n", "\\n") + "… (" + a.getBytes(StandardCharsets.UTF_8).length + " bytes)";
    }

    /** Fails listing every difference not explained by a {@link KnownDifference}; prints the known ones seen. */
    void assertNoUnexplainedDifferences() {
        knownSeen.forEach(k -> System.out.println("known difference: " + k));
        if (!unexplained.isEmpty()) {
            Assertions.fail(unexplained.size() + " difference(s) between lighttpd and gatehouse in " + steps
                    + " steps:\n" + String.join("\n", unexplained));
        }
    }
}
