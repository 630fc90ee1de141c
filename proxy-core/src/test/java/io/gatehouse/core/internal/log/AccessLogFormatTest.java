package io.gatehouse.core.internal.log;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every directive against a sample request, lighttpd's escaping, and compile-time errors. */
class AccessLogFormatTest {

    private static final Consumer<SampleEntry> AS_IS = e -> { };

    static String line(String format, Consumer<SampleEntry> change) {
        SampleEntry entry = new SampleEntry();
        change.accept(entry);
        StringBuilder out = new StringBuilder();
        AccessLogFormat.compile(format).format(entry, out);
        return out.toString();
    }

    @Test
    void defaultFormatIsLighttpdsAndPrintsTheCombinedLine() {
        assertEquals("%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"", AccessLogFormat.DEFAULT);
        assertEquals("192.0.2.7 example.com:8080 - [21/Nov/2026:19:11:39 +0000] \"GET /index.php?a=1 HTTP/1.1\" "
                + "200 1234 \"http://ref.example/\" \"curl/8.5.0\"", line(AccessLogFormat.DEFAULT, AS_IS));
    }

    @Test
    void formatAppendsWithoutLineEnd() {
        StringBuilder out = new StringBuilder("prefix|");
        AccessLogFormat.compile("%s").format(new SampleEntry(), out);
        assertEquals("prefix|200", out.toString());
    }

    static Stream<Arguments> directives() {
        return Stream.of(
                Arguments.of("%%", AS_IS, "%"),
                Arguments.of("100%% %s", AS_IS, "100% 200"),
                Arguments.of("%a", AS_IS, "192.0.2.7"),
                Arguments.of("%h", AS_IS, "192.0.2.7"),
                Arguments.of("%h", (Consumer<SampleEntry>) e -> e.remoteAddr = null, "-"),
                Arguments.of("%A", AS_IS, "127.0.0.1"),
                Arguments.of("%b", AS_IS, "1234"),
                Arguments.of("%b", (Consumer<SampleEntry>) e -> e.bytesSent = 0, "-"),
                Arguments.of("%B", AS_IS, "1234"),
                Arguments.of("%B", (Consumer<SampleEntry>) e -> e.bytesSent = 0, "0"),
                Arguments.of("%{sid}C", AS_IS, "xyz"),
                Arguments.of("%{a}C|%{b}C", AS_IS, "1|2"),
                Arguments.of("[%{missing}C]", AS_IS, "[]"),
                Arguments.of("%D", AS_IS, "1500"),
                Arguments.of("%D", (Consumer<SampleEntry>) e -> e.durationNanos = 1, "1"),
                Arguments.of("%T", AS_IS, "0"),
                Arguments.of("%T", (Consumer<SampleEntry>) e -> e.durationNanos = 2_999_999_999L, "2"),
                Arguments.of("%{s}T %{sec}T", (Consumer<SampleEntry>) e -> e.durationNanos = 3_000_000_000L, "3 3"),
                Arguments.of("%{ms}T %{msec}T", AS_IS, "2 2"),
                Arguments.of("%{us}T %{usec}T", AS_IS, "1500 1500"),
                Arguments.of("%{ns}T %{nsec}T", AS_IS, "1500000 1500000"),
                Arguments.of("%f", AS_IS, "/srv/www/index.php"),
                Arguments.of("%f", (Consumer<SampleEntry>) e -> e.physicalPath = null, "-"),
                Arguments.of("%H", AS_IS, "HTTP/1.1"),
                Arguments.of("%{User-Agent}i", AS_IS, "curl/8.5.0"),
                Arguments.of("%{user-agent}i", AS_IS, "curl/8.5.0"),
                Arguments.of("%{X-Missing}i", AS_IS, "-"),
                Arguments.of("%i", AS_IS, "-"),
                Arguments.of("%I", AS_IS, "210"),
                Arguments.of("%I", (Consumer<SampleEntry>) e -> e.bytesReceived = 0, "-"),
                Arguments.of("%l", AS_IS, "-"),
                Arguments.of("%m", AS_IS, "GET"),
                Arguments.of("%{Content-Type}o", AS_IS, "text/html"),
                Arguments.of("%{X-None}o", AS_IS, "-"),
                Arguments.of("%O", AS_IS, "1234"),
                Arguments.of("%O", (Consumer<SampleEntry>) e -> e.bytesSent = 0, "-"),
                Arguments.of("%p %{local}p %{canonical}p", AS_IS, "8080 8080 8080"),
                Arguments.of("%q", AS_IS, "?a=1"),
                Arguments.of("[%q]", (Consumer<SampleEntry>) e -> e.queryString = null, "[]"),
                Arguments.of("[%q]", (Consumer<SampleEntry>) e -> e.queryString = "", "[]"),
                Arguments.of("%r", AS_IS, "GET /index.php?a=1 HTTP/1.1"),
                Arguments.of("%r", (Consumer<SampleEntry>) e -> e.requestLine = null, "GET /index.php?a=1 HTTP/1.1"),
                Arguments.of("%s %>s %<s", (Consumer<SampleEntry>) e -> e.status = 502, "502 502 502"),
                Arguments.of("%t", AS_IS, "[21/Nov/2026:19:11:39 +0000]"),
                Arguments.of("%u", AS_IS, "-"),
                Arguments.of("%u", (Consumer<SampleEntry>) e -> e.remoteUser = "alice", "alice"),
                Arguments.of("%U", AS_IS, "/index.php"),
                Arguments.of("%v", AS_IS, "example.com"),
                Arguments.of("%v", (Consumer<SampleEntry>) e -> e.host = "[::1]:8443", "[::1]"),
                Arguments.of("%v", (Consumer<SampleEntry>) e -> e.host = "example.org", "example.org"),
                Arguments.of("%v %V", (Consumer<SampleEntry>) e -> e.host = null, "- -"),
                Arguments.of("%V", AS_IS, "example.com:8080"),
                Arguments.of("%X", AS_IS, "+"),
                Arguments.of("%X", (Consumer<SampleEntry>) e -> e.keepAlive = false, "-"),
                Arguments.of("%X", (Consumer<SampleEntry>) e -> e.aborted = true, "X"),
                Arguments.of("literal only", AS_IS, "literal only"),
                Arguments.of("", AS_IS, ""),
                Arguments.of("%s\\t%m\\n\\\"q\\\\\\", AS_IS, "200\tGET\n\"q\\"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("directives")
    void directive(String format, Consumer<SampleEntry> change, String expected) {
        assertEquals(expected, line(format, change));
    }

    @Test
    void requestControlledValuesAreEscapedAsLighttpdDoes() {
        String nasty = "a\"b\\c\n\r\t\b\u000b\u0001\u007f\u00e9\u20ac\ud83d\ude00 ok";
        String escaped = "a\\\"b\\\\c\\n\\r\\t\\b\\v\\x01\\x7F\\xE9\\xE2\\x82\\xAC\\xF0\\x9F\\x98\\x80 ok";
        assertEquals(escaped, line("%{User-Agent}i", e -> e.requestHeaders.put("User-Agent", nasty)));
        assertEquals(escaped, line("%{X-R}o", e -> e.responseHeaders.put("X-R", nasty)));
        assertEquals("GET /a\\\"b HTTP/1.1", line("%r", e -> e.requestLine = "GET /a\"b HTTP/1.1"));
        assertEquals("/caf\\xE9", line("%U", e -> e.urlPath = "/caf\u00e9"));
        assertEquals("?x=\\x1F\\n", line("%q", e -> e.queryString = "x=\u001f\n"));
        assertEquals("ev\\\"il", line("%u", e -> e.remoteUser = "ev\"il"));
        assertEquals("h\\x00st", line("%V", e -> e.host = "h\u0000st"));
    }

    @Test
    void timeDirectivesFollowLighttpdsArguments() {
        long second = ZonedDateTime.of(2026, 11, 21, 19, 11, 39, 0, ZoneOffset.UTC).toEpochSecond();
        assertEquals(1795288299L, second);
        assertEquals("2026-11-21T19:11:39+0000", line("%{%Y-%m-%dT%H:%M:%S%z}t", AS_IS));
        assertEquals(second + " " + second, line("%{sec}t %{end:sec}t", AS_IS));
        assertEquals(second * 1000 + 251 + " " + (second * 1000 + 250), line("%{msec}t %{begin:msec}t", AS_IS));
        assertEquals(String.valueOf(second * 1_000_000 + 251_500), line("%{usec}t", AS_IS));
        assertEquals(String.valueOf(second * 1_000_000_000 + 251_500_000), line("%{nsec}t", AS_IS));
        assertEquals("251 251500 251500000 250", line("%{msec_frac}t %{usec_frac}t %{nsec_frac}t %{begin:msec_frac}t",
                AS_IS));
        assertEquals("007 007000 007000000", line("%{msec_frac}t %{usec_frac}t %{nsec_frac}t", e -> {
            e.startTime = e.startTime.withNano(7_000_000);
            e.durationNanos = 0;
        }));
    }

    @Test
    void endTimeCrossesIntoTheNextSecondButBeginDoesNot() {
        Consumer<SampleEntry> slow = e -> {
            e.startTime = e.startTime.withNano(900_000_000);
            e.durationNanos = 200_000_000;
        };
        assertEquals("[21/Nov/2026:19:11:40 +0000] 19:11:39 19:11:40",
                line("%t %{begin:%T}t %{end:%T}t", slow));
    }

    @Test
    void strftimeSubsetMatchesC() {
        Consumer<SampleEntry> sunday = e -> e.startTime = ZonedDateTime.of(2026, 3, 1, 7, 5, 9, 0,
                ZoneOffset.ofHoursMinutes(5, 30));
        assertEquals("Sun Sunday Mar March Mar 20 01  1 07 07 060  7  7 03 05 AM 09 7 0 26 2026 +0530",
                line("%{%a %A %b %B %h %C %d %e %H %I %j %k %l %m %M %p %S %u %w %y %Y %z}t", sunday));
        assertEquals("03/01/26 2026-03-01 07:05 07:05:09 100%\n\t",
                line("%{%D %F %R %T 100%%%n%t}t", sunday));
        Consumer<SampleEntry> summerNight = e -> e.startTime = ZonedDateTime.of(2026, 7, 4, 23, 59, 59, 0,
                ZoneOffset.ofHoursMinutes(-3, -30));
        assertEquals("Sat Saturday Jul July 04  4 23 11 185 23 11 PM 6 6 -0330",
                line("%{%a %A %b %B %d %e %H %I %j %k %l %p %u %w %z}t", summerNight));
        assertEquals("1795288299", line("%{%s}t", e -> e.durationNanos = 0));
    }

    @Test
    void zoneAbbreviations() {
        assertEquals("UTC", line("%{%Z}t", AS_IS));
        assertEquals("CET +0100", line("%{%Z %z}t", e -> e.startTime = e.startTime.withZoneSameInstant(
                ZoneId.of("Europe/Berlin"))));
        assertEquals("CEST +0200", line("%{%Z %z}t", e -> e.startTime = ZonedDateTime.of(2026, 7, 1, 12, 0, 0, 0,
                ZoneId.of("Europe/Berlin"))));
        assertEquals("+0100", line("%{%Z}t", e -> e.startTime = e.startTime.withZoneSameInstant(
                ZoneOffset.ofHours(1))));
    }

    @Test
    void cachedSecondIsRenewedForANewSecondOrZone() {
        AccessLogFormat format = AccessLogFormat.compile("%t");
        SampleEntry entry = new SampleEntry();
        assertEquals("[21/Nov/2026:19:11:39 +0000]", formatted(format, entry));
        entry.startTime = entry.startTime.withNano(999_000_000);
        entry.durationNanos = 0;
        assertEquals("[21/Nov/2026:19:11:39 +0000]", formatted(format, entry));
        entry.durationNanos = 1_000_000;
        assertEquals("[21/Nov/2026:19:11:40 +0000]", formatted(format, entry));
        entry.startTime = entry.startTime.withZoneSameInstant(ZoneOffset.ofHours(-5));
        assertEquals("[21/Nov/2026:14:11:40 -0500]", formatted(format, entry));
        entry.startTime = entry.startTime.minusDays(400);
        assertEquals("[17/Oct/2025:14:11:40 -0500]", formatted(format, entry));
    }

    static String formatted(AccessLogFormat format, AccessLogEntry entry) {
        StringBuilder out = new StringBuilder();
        format.format(entry, out);
        return out.toString();
    }

    static Stream<Arguments> badFormats() {
        return Stream.of(
                Arguments.of("%h %Z", "unknown directive", "%Z", 4),
                Arguments.of("x %{foo}Z", "unknown directive", "%{foo}Z", 3),
                Arguments.of("%>Z", "unknown directive", "%>Z", 1),
                Arguments.of("%e", "directive not supported", "%e", 1),
                Arguments.of("%s %P", "directive not supported", "%P", 4),
                Arguments.of("abc %", "directive letter missing at the end of the format", "%", 5),
                Arguments.of("%h %>", "directive letter missing at the end of the format", "%>", 4),
                Arguments.of("%{Referer}", "directive letter missing at the end of the format", "%{Referer}", 1),
                Arguments.of("\"%{Referer\"", "%{ is not closed by }", "%{Referer\"", 2),
                Arguments.of("%{}i", "%{} needs a name inside the braces", "%{}i", 1),
                Arguments.of("%s %{min}T", "invalid time unit (expected s, ms, us or ns)", "%{min}T", 4),
                Arguments.of("%{remote}p", "remote port is not logged (only %p, %{local}p, %{canonical}p)",
                        "%{remote}p", 1),
                Arguments.of("%{peer}p", "invalid port kind (expected local or canonical)", "%{peer}p", 1),
                Arguments.of("%{%Y %Q}t", "unsupported time conversion %Q", "%{%Y %Q}t", 1),
                Arguments.of("%{%Y%}t", "time format ends with a lone '%'", "%{%Y%}t", 1),
                Arguments.of("%{Ymd}t", "time format is a constant string (misspelled keyword or missing '%'?)",
                        "%{Ymd}t", 1),
                Arguments.of("%{begin:msecs}t", "time format is a constant string", "%{begin:msecs}t", 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFormats")
    void badFormatNamesDirectiveAndColumn(String format, String problem, String directive, int column) {
        AccessLogFormatException e = assertThrows(AccessLogFormatException.class, () -> AccessLogFormat.compile(format));
        assertEquals(directive, e.directive());
        assertEquals(column, e.column());
        String message = e.getMessage();
        assertTrue(message.startsWith("accesslog.format: " + problem), message);
        assertTrue(message.endsWith(": \"" + directive + "\" at column " + column), message);
        assertEquals(IllegalArgumentException.class, e.getClass().getSuperclass());
    }
}
