package io.gatehouse.core.internal.log;

/**
 * Turns one {@code accesslog.format} directive letter (with its optional {@code {argument}}) into
 * the {@link LogPart} that prints it. The meanings are lighttpd's {@code mod_accesslog}; see
 * {@link AccessLogFormat} for the list.
 *
 * <p>Stateless; safe from any thread. The parts it returns are thread-safe.
 */
final class AccessLogDirectives {

    private static final long NANOS_PER_MICRO = 1_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private AccessLogDirectives() {
    }

    /**
     * @param key       the directive letter
     * @param argument  the text inside {@code {}} or {@code null}
     * @param directive the directive as written, for errors
     * @param column    1-based column of its {@code %}, for errors
     * @throws AccessLogFormatException unknown or unsupported directive, or an invalid argument
     */
    static LogPart part(char key, String argument, String directive, int column) {
        return switch (key) {
            case 'a', 'h' -> (e, out) -> dashIfEmpty(out, e.remoteAddr());
            case 'A' -> (e, out) -> dashIfEmpty(out, e.localAddr());
            case 'b' -> (e, out) -> dashIfZero(out, e.bytesSent());
            case 'B' -> (e, out) -> out.append(Math.max(0, e.bytesSent()));
            case 'C' -> cookie(argument);
            case 'D' -> duration(NANOS_PER_MICRO);
            case 'f' -> (e, out) -> escapedOrDash(out, e.physicalPath());
            case 'H' -> (e, out) -> escapedOrDash(out, e.protocol());
            case 'i' -> (e, out) -> escapedOrDash(out, argument == null ? null : e.requestHeader(argument));
            case 'I' -> (e, out) -> dashIfZero(out, e.bytesReceived());
            case 'l' -> (e, out) -> out.append('-');
            case 'm' -> (e, out) -> escapedOrDash(out, e.method());
            case 'o' -> (e, out) -> escapedOrDash(out, argument == null ? null : e.responseHeader(argument));
            case 'O' -> (e, out) -> dashIfZero(out, e.bytesSent());
            case 'p' -> port(argument, directive, column);
            case 'q' -> AccessLogDirectives::query;
            case 'r' -> AccessLogDirectives::requestLine;
            case 's' -> (e, out) -> out.append(e.status());
            case 't' -> AccessLogTimestamp.of(argument, directive, column);
            case 'T' -> duration(timeUnit(argument, directive, column));
            case 'u' -> (e, out) -> escapedOrDash(out, e.remoteUser());
            case 'U' -> (e, out) -> escapedOrDash(out, e.urlPath());
            case 'v' -> (e, out) -> escapedOrDash(out, serverName(e.host()));
            case 'V' -> (e, out) -> escapedOrDash(out, e.host());
            case 'X' -> (e, out) -> out.append(e.aborted() ? 'X' : e.keepAlive() ? '+' : '-');
            case 'e', 'k', 'n', 'P' -> throw new AccessLogFormatException(
                    "directive not supported (no environment, notes, keep-alive count or process id is logged)",
                    directive, column);
            default -> throw new AccessLogFormatException("unknown directive", directive, column);
        };
    }

    /** {@code %T} units; lighttpd's names. */
    private static long timeUnit(String unit, String directive, int column) {
        if (unit == null) {
            return NANOS_PER_SECOND;
        }
        return switch (unit) {
            case "s", "sec" -> NANOS_PER_SECOND;
            case "ms", "msec" -> NANOS_PER_MILLI;
            case "us", "usec" -> NANOS_PER_MICRO;
            case "ns", "nsec" -> 1L;
            default -> throw new AccessLogFormatException(
                    "invalid time unit (expected s, ms, us or ns)", directive, column);
        };
    }

    /** Whole seconds are truncated; finer units round up, so a fast request never shows as 0 (as lighttpd). */
    private static LogPart duration(long nanosPerUnit) {
        return (e, out) -> {
            long nanos = Math.max(0, e.durationNanos());
            out.append(nanosPerUnit == NANOS_PER_SECOND ? nanos / NANOS_PER_SECOND
                    : (nanos + nanosPerUnit - 1) / nanosPerUnit);
        };
    }

    private static LogPart port(String argument, String directive, int column) {
        if (argument == null || argument.equals("local") || argument.equals("canonical")) {
            return (e, out) -> out.append(e.localPort());
        }
        throw new AccessLogFormatException(argument.equals("remote")
                ? "remote port is not logged (only %p, %{local}p, %{canonical}p)"
                : "invalid port kind (expected local or canonical)", directive, column);
    }

    /** {@code %{name}C}: the cookie's value, nothing when it is absent (as lighttpd). */
    private static LogPart cookie(String name) {
        if (name == null || name.isEmpty()) {
            return (e, out) -> { };
        }
        return (e, out) -> {
            String cookies = e.requestHeader("Cookie");
            if (cookies != null) {
                String value = cookieValue(cookies, name);
                if (value != null) {
                    AccessLogEscaper.append(out, value);
                }
            }
        };
    }

    static String cookieValue(String cookies, String name) {
        int from = 0;
        while (from <= cookies.length()) {
            int end = cookies.indexOf(';', from);
            if (end < 0) {
                end = cookies.length();
            }
            String pair = cookies.substring(from, end).strip();
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).strip().equals(name)) {
                return pair.substring(equals + 1).strip();
            }
            from = end + 1;
        }
        return null;
    }

    private static void query(AccessLogEntry e, StringBuilder out) {
        String query = e.queryString();
        if (query != null && !query.isEmpty()) {
            AccessLogEscaper.append(out.append('?'), query);
        }
    }

    private static void requestLine(AccessLogEntry e, StringBuilder out) {
        String line = e.requestLine();
        if (line != null && !line.isEmpty()) {
            AccessLogEscaper.append(out, line);
            return;
        }
        escapedOrDash(out, e.method());
        escapedOrDash(out.append(' '), e.urlPath());
        query(e, out);
        escapedOrDash(out.append(' '), e.protocol());
    }

    /** The Host without its port: {@code example.com:8080} gives {@code example.com}, {@code [::1]:80} {@code [::1]}. */
    static String serverName(String host) {
        if (host == null || host.isEmpty()) {
            return host;
        }
        if (host.charAt(0) == '[') {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 || host.indexOf(':', colon + 1) >= 0 ? host : host.substring(0, colon);
    }

    private static void dashIfEmpty(StringBuilder out, String value) {
        out.append(value == null || value.isEmpty() ? "-" : value);
    }

    private static void escapedOrDash(StringBuilder out, String value) {
        if (value == null || value.isEmpty()) {
            out.append('-');
        } else {
            AccessLogEscaper.append(out, value);
        }
    }

    private static void dashIfZero(StringBuilder out, long value) {
        if (value > 0) {
            out.append(value);
        } else {
            out.append('-');
        }
    }
}
