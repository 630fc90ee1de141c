package io.gatehouse.conf.internal;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.SourceLocation;
import io.gatehouse.conf.internal.Value.ArrayValue;
import io.gatehouse.conf.internal.Value.StringValue;

/**
 * Bounds on one evaluated value. Written text cannot exceed them; a value past one was built by
 * {@code +} or {@code +=} of a value with itself, which doubles it per line ({@code var.a += var.a}
 * forty times is a terabyte). A value is checked before it is built, so the check costs no memory.
 *
 * <p>Stateless; thread-safe.
 */
public final class ValueLimits {

    /** The longest real values are vhost regexes and path lists, a few KiB. */
    public static final int MAX_STRING_CHARS = 64 * 1024;

    /** A generated mimetype.assign, the longest real array, has about 2,000 entries. */
    public static final int MAX_ARRAY_ENTRIES = 16 * 1024;

    /**
     * A value written out in full (see {@link Value#weight}) larger than the largest config file
     * can only come from references multiplying it; printing or comparing it would never end.
     */
    public static final long MAX_WEIGHT = ConfigFileReader.MAX_FILE_BYTES;

    /** fastcgi.server nests four deep; references may not nest values deeper than text may. */
    public static final int MAX_DEPTH = Parser.MAX_NESTING_DEPTH;

    private ValueLimits() {
    }

    /** Checks a string of {@code length} characters before it is built. */
    static void checkString(long length, SourceLocation at) throws ConfigException {
        if (length > MAX_STRING_CHARS) {
            throw new ConfigException(at, "string of " + length + " characters is longer than the limit of "
                    + MAX_STRING_CHARS + ", expected a shorter value (is a value appended to itself?)");
        }
    }

    /** Checks an array of {@code entries} entries, {@code weight} and {@code depth}, before it is built. */
    static void checkArray(long entries, long weight, int depth, SourceLocation at) throws ConfigException {
        if (entries > MAX_ARRAY_ENTRIES) {
            throw new ConfigException(at, "array of " + entries + " entries is longer than the limit of "
                    + MAX_ARRAY_ENTRIES + ", expected a shorter array (is an array appended to itself?)");
        }
        if (weight > MAX_WEIGHT) {
            throw new ConfigException(at, "array holding " + weight + " characters and entries in all is larger"
                    + " than the limit of " + MAX_WEIGHT + ", expected a smaller value (does it contain itself?)");
        }
        if (depth > MAX_DEPTH) {
            throw new ConfigException(at, "array nested " + depth + " deep is deeper than the limit of " + MAX_DEPTH
                    + ", expected a flatter value (does it contain itself?)");
        }
    }

    /** What {@code value} itself holds, not counting what it shares with other values. */
    static long cells(Value value) {
        if (value instanceof StringValue string) {
            return string.value().length();
        }
        return value instanceof ArrayValue array ? array.entries().size() : 1;
    }
}
