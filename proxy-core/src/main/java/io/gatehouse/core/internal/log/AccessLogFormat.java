package io.gatehouse.core.internal.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compiled {@code accesslog.format} (lighttpd's {@code mod_accesslog}, Apache-like). Directives:
 *
 * <pre>
 * %%  a literal %                         %p  local port (%{local}p, %{canonical}p)
 * %a  remote IP          %h  the same     %q  query string with its leading ?, or nothing
 * %A  local IP                            %r  request line
 * %b  body bytes sent, - for 0            %s  status (also %&gt;s, %&lt;s)
 * %B  body bytes sent, 0 for 0            %t  end time [21/Nov/2026:19:11:39 +0000]; %{...}t: see below
 * %{name}C  a cookie's value              %T  duration in s; %{ms}T %{us}T %{ns}T
 * %D  duration in µs                      %u  remote user, -
 * %f  physical file path, -               %U  URL path without the query
 * %H  protocol                            %v  server name (Host without port)
 * %{Name}i  request header, -             %V  Host as sent, -
 * %I  bytes received, - for 0             %X  connection: X aborted, + keep-alive, - closed
 * %l  ident, always -                     %O  bytes sent, - for 0 (the same counter as %b)
 * %m  method                              %{Name}o  response header, -
 * </pre>
 *
 * {@code %{...}t} takes lighttpd's arguments: {@code begin:} / {@code end:} prefix, {@code sec},
 * {@code msec}, {@code usec}, {@code nsec}, {@code msec_frac}, {@code usec_frac},
 * {@code nsec_frac}, or a strftime pattern in the subset {@link StrftimePattern} lists. In the
 * literal text {@code \n \t \r \a \b \f \v} are control characters and {@code \x} is {@code x}, as
 * lighttpd does. Values that come from the request are escaped lighttpd's way (see
 * {@link AccessLogEscaper}). {@code %e}, {@code %k}, {@code %n}, {@code %P} and unknown letters
 * are rejected at compile time with the directive and its column.
 *
 * <p>Immutable and thread-safe: one compiled format is shared by all logging threads.
 */
public final class AccessLogFormat {

    /** lighttpd's default: the combined log format with the Host in place of ident. */
    public static final String DEFAULT = "%h %V %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"";

    private final String source;
    private final LogPart[] parts;

    private AccessLogFormat(String source, List<LogPart> parts) {
        this.source = source;
        this.parts = parts.toArray(new LogPart[0]);
    }

    /**
     * Compiles {@code format} once, for any number of lines.
     *
     * @throws AccessLogFormatException (an {@link IllegalArgumentException}) naming the bad
     *     directive and its 1-based column
     */
    public static AccessLogFormat compile(String format) {
        Objects.requireNonNull(format, "format");
        List<LogPart> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c == '\\') {
                if (i + 1 < format.length()) {
                    literal.append(unescape(format.charAt(i + 1)));
                }
                i += 2;
            } else if (c != '%') {
                literal.append(c);
                i++;
            } else {
                i = directive(format, i, literal, parts);
            }
        }
        flushLiteral(literal, parts);
        return new AccessLogFormat(format, parts);
    }

    /** Appends the line for {@code entry} to {@code out}, without a line end. */
    public void format(AccessLogEntry entry, StringBuilder out) {
        for (LogPart part : parts) {
            part.append(entry, out);
        }
    }

    /** The format string this was compiled from. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "AccessLogFormat[" + source + "]";
    }

    /** Parses the directive whose {@code %} is at {@code percent}; returns the index after it. */
    private static int directive(String format, int percent, StringBuilder literal, List<LogPart> parts) {
        int column = percent + 1;
        int keyAt = percent + 1;
        String argument = null;
        if (keyAt < format.length() && format.charAt(keyAt) == '{') {
            int close = format.indexOf('}', keyAt + 1);
            if (close < 0) {
                throw new AccessLogFormatException("%{ is not closed by }", format.substring(percent), column);
            }
            argument = format.substring(keyAt + 1, close);
            if (argument.isEmpty()) {
                throw new AccessLogFormatException("%{} needs a name inside the braces",
                        format.substring(percent, Math.min(close + 2, format.length())), column);
            }
            keyAt = close + 1;
        } else if (keyAt < format.length() && (format.charAt(keyAt) == '>' || format.charAt(keyAt) == '<')) {
            keyAt++;
        }
        if (keyAt >= format.length()) {
            throw new AccessLogFormatException("directive letter missing at the end of the format",
                    format.substring(percent), column);
        }
        char key = format.charAt(keyAt);
        String directive = format.substring(percent, keyAt + 1);
        if (key == '%') {
            literal.append('%');
        } else {
            LogPart part = AccessLogDirectives.part(key, argument, directive, column);
            flushLiteral(literal, parts);
            parts.add(part);
        }
        return keyAt + 1;
    }

    private static void flushLiteral(StringBuilder literal, List<LogPart> parts) {
        if (literal.length() > 0) {
            String text = literal.toString();
            parts.add((entry, out) -> out.append(text));
            literal.setLength(0);
        }
    }

    private static char unescape(char c) {
        return switch (c) {
            case 'a' -> '\u0007';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'v' -> '\u000b';
            default -> c;
        };
    }
}
