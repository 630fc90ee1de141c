package io.gatehouse.core.internal.log;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The {@code %t} directive. Its argument is as lighttpd's: an optional {@code begin:} (request
 * start) or {@code end:} (response end, the default) prefix, then either a {@link StrftimePattern}
 * (default {@code [%d/%b/%Y:%T %z]}) or one of {@code sec}, {@code msec}, {@code usec},
 * {@code nsec} (time since the epoch) and {@code msec_frac}, {@code usec_frac},
 * {@code nsec_frac} (the fraction of the second, zero-padded).
 *
 * <p>Thread-safe. A strftime text is formatted at most once per second and zone: the last one is
 * kept in an immutable holder behind a volatile field, so concurrent threads share it without
 * locking (two threads may both format a new second; either result is the same).
 */
final class AccessLogTimestamp implements LogPart {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private enum Kind {
        STRFTIME, SEC, MSEC, USEC, NSEC, MSEC_FRAC, USEC_FRAC, NSEC_FRAC
    }

    private record FormattedSecond(long epochSecond, ZoneId zone, String text) {
    }

    private final boolean begin;
    private final Kind kind;
    private final StrftimePattern pattern;
    private volatile FormattedSecond lastSecond;

    private AccessLogTimestamp(boolean begin, Kind kind, StrftimePattern pattern) {
        this.begin = begin;
        this.kind = kind;
        this.pattern = pattern;
    }

    /** The part for {@code %t} ({@code argument} null) or {@code %{argument}t}. */
    static AccessLogTimestamp of(String argument, String directive, int column) {
        String spec = argument == null ? "" : argument;
        boolean begin = false;
        if (spec.startsWith("begin:")) {
            begin = true;
            spec = spec.substring("begin:".length());
        } else if (spec.startsWith("end:")) {
            spec = spec.substring("end:".length());
        }
        Kind kind = switch (spec) {
            case "sec" -> Kind.SEC;
            case "msec" -> Kind.MSEC;
            case "usec" -> Kind.USEC;
            case "nsec" -> Kind.NSEC;
            case "msec_frac" -> Kind.MSEC_FRAC;
            case "usec_frac" -> Kind.USEC_FRAC;
            case "nsec_frac" -> Kind.NSEC_FRAC;
            default -> Kind.STRFTIME;
        };
        if (kind != Kind.STRFTIME) {
            return new AccessLogTimestamp(begin, kind, null);
        }
        if (spec.isEmpty()) {
            spec = StrftimePattern.COMMON_LOG;
        } else if (spec.indexOf('%') < 0) {
            throw new AccessLogFormatException(
                    "time format is a constant string (misspelled keyword or missing '%'?)", directive, column);
        }
        return new AccessLogTimestamp(begin, kind, StrftimePattern.compile(spec, directive, column));
    }

    @Override
    public void append(AccessLogEntry entry, StringBuilder out) {
        ZonedDateTime start = entry.startTime();
        long epochSecond = start.toEpochSecond();
        long nano = start.getNano();
        if (!begin) {
            long total = nano + Math.max(0, entry.durationNanos());
            epochSecond += Math.floorDiv(total, NANOS_PER_SECOND);
            nano = Math.floorMod(total, NANOS_PER_SECOND);
        }
        switch (kind) {
            case STRFTIME -> strftime(epochSecond, start.getZone(), out);
            case SEC -> out.append(epochSecond);
            case MSEC -> out.append(epochSecond * 1_000 + nano / 1_000_000);
            case USEC -> out.append(epochSecond * 1_000_000 + nano / 1_000);
            case NSEC -> out.append(epochSecond * NANOS_PER_SECOND + nano);
            case MSEC_FRAC -> zeroPadded(out, nano / 1_000_000, 3);
            case USEC_FRAC -> zeroPadded(out, nano / 1_000, 6);
            case NSEC_FRAC -> zeroPadded(out, nano, 9);
            default -> throw new IllegalStateException("unhandled time kind " + kind);
        }
    }

    private void strftime(long epochSecond, ZoneId zone, StringBuilder out) {
        FormattedSecond cached = lastSecond;
        if (cached == null || cached.epochSecond() != epochSecond || !cached.zone().equals(zone)) {
            StringBuilder text = new StringBuilder(32);
            pattern.appendTo(Instant.ofEpochSecond(epochSecond).atZone(zone), text);
            cached = new FormattedSecond(epochSecond, zone, text.toString());
            lastSecond = cached;
        }
        out.append(cached.text());
    }

    private static void zeroPadded(StringBuilder out, long value, int width) {
        for (long limit = 10, digits = 1; digits < width; limit *= 10, digits++) {
            if (value < limit) {
                out.append('0');
            }
        }
        out.append(value);
    }
}
