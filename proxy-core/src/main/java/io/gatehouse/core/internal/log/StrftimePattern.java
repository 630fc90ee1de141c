package io.gatehouse.core.internal.log;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The subset of C {@code strftime} that {@code %{...}t} accepts, in English (the C locale):
 *
 * <pre>
 * %a %A  weekday Mon / Monday        %H %I  hour 00-23 / 01-12       %s  seconds since the epoch
 * %b %h  month Nov                   %k %l  hour " 0"-23 / " 1"-12   %u %w  weekday 1-7 (Mon=1) / 0-6 (Sun=0)
 * %B     month November              %M %S  minute, second           %z  +hhmm offset
 * %C     century 20                  %p     AM / PM                  %Z  zone abbreviation (UTC, CET)
 * %d %e  day 01-31 / " 1"-31         %j     day of year 001-366      %n %t  newline, tab
 * %m     month 01-12                 %D %F %R %T  %m/%d/%y  %Y-%m-%d  %H:%M  %H:%M:%S
 * %y %Y  year 26 / 2026              %%     a literal %
 * </pre>
 *
 * Any other conversion is rejected when the format is compiled.
 *
 * <p>Immutable; safe from any thread. Formatting interprets the pattern each time: callers cache
 * the text per second, so this runs at most once a second per pattern.
 */
final class StrftimePattern {

    /** lighttpd's {@code %t}: {@code [21/Nov/2026:19:11:39 +0000]}. */
    static final String COMMON_LOG = "[%d/%b/%Y:%T %z]";

    private static final String SUPPORTED = "aAbBCdDeFhHIjklmMnpRsStTuwyYzZ%";
    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
        "Sunday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December"};
    private static final DateTimeFormatter ZONE_ABBREVIATION = DateTimeFormatter.ofPattern("zzz", Locale.US);

    private final String pattern;

    private StrftimePattern(String pattern) {
        this.pattern = pattern;
    }

    /**
     * Checks every conversion of {@code pattern}.
     *
     * @param directive the {@code %{...}t} directive holding it, named in errors
     * @param column    that directive's column, named in errors
     */
    static StrftimePattern compile(String pattern, String directive, int column) {
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) != '%') {
                continue;
            }
            if (i + 1 == pattern.length()) {
                throw new AccessLogFormatException("time format ends with a lone '%'", directive, column);
            }
            char conversion = pattern.charAt(++i);
            if (SUPPORTED.indexOf(conversion) < 0) {
                throw new AccessLogFormatException("unsupported time conversion %" + conversion
                        + " (supported: %" + String.join(" %", SUPPORTED.split("")) + ")", directive, column);
            }
        }
        return new StrftimePattern(pattern);
    }

    void appendTo(ZonedDateTime t, StringBuilder out) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '%') {
                conversion(pattern.charAt(++i), t, out);
            } else {
                out.append(c);
            }
        }
    }

    private static void conversion(char conversion, ZonedDateTime t, StringBuilder out) {
        switch (conversion) {
            case 'a' -> out.append(DAYS[t.getDayOfWeek().ordinal()], 0, 3);
            case 'A' -> out.append(DAYS[t.getDayOfWeek().ordinal()]);
            case 'b', 'h' -> out.append(MONTHS[t.getMonthValue() - 1], 0, 3);
            case 'B' -> out.append(MONTHS[t.getMonthValue() - 1]);
            case 'C' -> twoDigits(out, Math.floorDiv(t.getYear(), 100));
            case 'd' -> twoDigits(out, t.getDayOfMonth());
            case 'D' -> {
                twoDigits(out, t.getMonthValue());
                twoDigits(out.append('/'), t.getDayOfMonth());
                twoDigits(out.append('/'), Math.floorMod(t.getYear(), 100));
            }
            case 'e' -> spacePadded(out, t.getDayOfMonth());
            case 'F' -> {
                out.append(t.getYear());
                twoDigits(out.append('-'), t.getMonthValue());
                twoDigits(out.append('-'), t.getDayOfMonth());
            }
            case 'H' -> twoDigits(out, t.getHour());
            case 'I' -> twoDigits(out, twelveHour(t));
            case 'j' -> {
                int day = t.getDayOfYear();
                out.append(day < 100 ? (day < 10 ? "00" : "0") : "").append(day);
            }
            case 'k' -> spacePadded(out, t.getHour());
            case 'l' -> spacePadded(out, twelveHour(t));
            case 'm' -> twoDigits(out, t.getMonthValue());
            case 'M' -> twoDigits(out, t.getMinute());
            case 'n' -> out.append('\n');
            case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
            case 'R' -> {
                twoDigits(out, t.getHour());
                twoDigits(out.append(':'), t.getMinute());
            }
            case 's' -> out.append(t.toEpochSecond());
            case 'S' -> twoDigits(out, t.getSecond());
            case 't' -> out.append('\t');
            case 'T' -> {
                twoDigits(out, t.getHour());
                twoDigits(out.append(':'), t.getMinute());
                twoDigits(out.append(':'), t.getSecond());
            }
            case 'u' -> out.append(t.getDayOfWeek().getValue());
            case 'w' -> out.append(t.getDayOfWeek().getValue() % 7);
            case 'y' -> twoDigits(out, Math.floorMod(t.getYear(), 100));
            case 'Y' -> out.append(t.getYear());
            case 'z' -> offset(out, t.getOffset());
            case 'Z' -> zoneAbbreviation(out, t);
            case '%' -> out.append('%');
            default -> throw new IllegalStateException("conversion %" + conversion + " passed compile()");
        }
    }

    private static int twelveHour(ZonedDateTime t) {
        int hour = t.getHour() % 12;
        return hour == 0 ? 12 : hour;
    }

    private static void twoDigits(StringBuilder out, int value) {
        if (value < 10) {
            out.append('0');
        }
        out.append(value);
    }

    private static void spacePadded(StringBuilder out, int value) {
        if (value < 10) {
            out.append(' ');
        }
        out.append(value);
    }

    private static void offset(StringBuilder out, ZoneOffset offset) {
        int seconds = offset.getTotalSeconds();
        out.append(seconds < 0 ? '-' : '+');
        int minutes = Math.abs(seconds) / 60;
        twoDigits(out, minutes / 60);
        twoDigits(out, minutes % 60);
    }

    private static void zoneAbbreviation(StringBuilder out, ZonedDateTime t) {
        if (t.getZone() instanceof ZoneOffset offset) {
            // a fixed offset has no name; C's strftime prints UTC for TZ=UTC
            if (offset.getTotalSeconds() == 0) {
                out.append("UTC");
            } else {
                offset(out, offset);
            }
        } else {
            out.append(ZONE_ABBREVIATION.format(t));
        }
    }
}
