package io.gatehouse.conf.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.internal.Value.ArrayValue;
import io.gatehouse.conf.internal.Value.Entry;
import io.gatehouse.conf.internal.Value.IntValue;
import io.gatehouse.conf.internal.Value.StringValue;

/**
 * Reads typed settings out of evaluated values, lighttpd's way: numbers may be decimal strings (so
 * {@code env.PORT} works), booleans are enable/disable words or integers. Every failure names the
 * setting ({@code what}), the value and its position.
 *
 * <p>Stateless; thread-safe.
 */
public final class ValueReader {

    private static final Set<String> TRUE_WORDS = Set.of("enable", "enabled", "true", "1");
    private static final Set<String> FALSE_WORDS = Set.of("disable", "disabled", "false", "0");

    private ValueReader() {
    }

    public static String string(Value value, String what) throws ConfigException {
        if (value instanceof StringValue s) {
            return s.value();
        }
        throw mismatch(value, what, "a string");
    }

    public static Path path(Value value, String what) throws ConfigException {
        String text = string(value, what);
        if (text.isEmpty()) {
            throw new ConfigException(value.location(), what + " must be a path, got \"\"");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new ConfigException(value.location(), what + " must be a path, got " + value.describe()
                    + " (" + e.getReason() + ")");
        }
    }

    public static int integer(Value value, String what) throws ConfigException {
        if (value instanceof IntValue i) {
            return i.value();
        }
        if (value instanceof StringValue s && s.value().matches("-?[0-9]{1,10}")) {
            long parsed = Long.parseLong(s.value());
            if (parsed >= Integer.MIN_VALUE && parsed <= Integer.MAX_VALUE) {
                return (int) parsed;
            }
        }
        throw mismatch(value, what, "an integer");
    }

    /** An integer that must not be negative. */
    public static int count(Value value, String what) throws ConfigException {
        int number = integer(value, what);
        if (number < 0) {
            throw new ConfigException(value.location(), what + " must not be negative, got " + number);
        }
        return number;
    }

    public static boolean bool(Value value, String what) throws ConfigException {
        if (value instanceof IntValue i) {
            return i.value() != 0;
        }
        if (value instanceof StringValue s) {
            String word = s.value().toLowerCase(Locale.ROOT);
            if (TRUE_WORDS.contains(word)) {
                return true;
            }
            if (FALSE_WORDS.contains(word)) {
                return false;
            }
        }
        throw mismatch(value, what, "\"enable\" or \"disable\"");
    }

    public static ArrayValue array(Value value, String what) throws ConfigException {
        if (value instanceof ArrayValue array) {
            return array;
        }
        throw mismatch(value, what, "an array ( … )");
    }

    /** An array of strings (integers are taken as text); a single string is a one-element list. */
    public static List<String> strings(Value value, String what) throws ConfigException {
        if (value instanceof StringValue s) {
            return List.of(s.value());
        }
        List<String> result = new ArrayList<>();
        for (Entry entry : array(value, what).entries()) {
            result.add(scalarText(entry.value(), what));
        }
        return List.copyOf(result);
    }

    /** A hash of strings ({@code ( "A" => "b" )}), integers taken as text, in config order. */
    public static Map<String, String> stringMap(Value value, String what) throws ConfigException {
        Map<String, String> result = new LinkedHashMap<>();
        for (Entry entry : array(value, what).entries()) {
            if (entry.key() == null) {
                throw new ConfigException(entry.location(), what + " entries need a key, expected ( \"name\" => \"value\" ),"
                        + " got " + entry.value().describe());
            }
            result.put(entry.key(), scalarText(entry.value(), what + " " + Token.quote(entry.key())));
        }
        return Collections.unmodifiableMap(result);
    }

    private static String scalarText(Value value, String what) throws ConfigException {
        if (value instanceof StringValue s) {
            return s.value();
        }
        if (value instanceof IntValue i) {
            return Integer.toString(i.value());
        }
        throw mismatch(value, what, "a string");
    }

    private static ConfigException mismatch(Value value, String what, String expected) {
        return new ConfigException(value.location(), what + " must be " + expected + ", got " + value.describe());
    }
}
