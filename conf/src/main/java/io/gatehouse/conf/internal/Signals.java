package io.gatehouse.conf.internal;

import java.util.Locale;
import java.util.Map;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.internal.Value.IntValue;
import io.gatehouse.conf.internal.Value.StringValue;

/**
 * {@code kill-signal} values: a number, as lighttpd takes, or a Linux signal name with or without
 * the {@code SIG} prefix ({@code "SIGUSR1"}, {@code "TERM"}).
 *
 * <p>Constant table; thread-safe.
 */
public final class Signals {

    /** Linux x86-64/arm64 numbering. */
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7),
            Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
            Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30),
            Map.entry("SYS", 31));

    private Signals() {
    }

    /** The signal number of {@code value}; range checks are the backend builder's. */
    public static int parse(Value value, String what) throws ConfigException {
        if (value instanceof IntValue || (value instanceof StringValue s && s.value().matches("-?[0-9]+"))) {
            return ValueReader.integer(value, what);
        }
        if (value instanceof StringValue s) {
            String name = s.value().toUpperCase(Locale.ROOT);
            Integer number = NUMBERS.get(name.startsWith("SIG") ? name.substring(3) : name);
            if (number != null) {
                return number;
            }
        }
        throw new ConfigException(value.location(), what + " must be a signal number or name such as SIGTERM"
                + " or SIGUSR1, got " + value.describe());
    }
}
