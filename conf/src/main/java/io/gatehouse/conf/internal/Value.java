package io.gatehouse.conf.internal;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import io.gatehouse.conf.SourceLocation;

/**
 * An evaluated config value: a string, an integer or an array whose elements may carry keys
 * (a lighttpd "hash"). Each value remembers where it was written so that type errors found much
 * later still name {@code file:line:col}.
 *
 * <p>All implementations are immutable records; thread-safe.
 */
public sealed interface Value {

    /** Where the value was written. */
    SourceLocation location();

    /** How the value reads in a message: {@code "four"}, {@code 4}, {@code ( … )}. */
    String describe();

    /** The same value at another location (a reference reports where it was used). */
    Value at(SourceLocation location);

    /**
     * The characters, integers and array entries of the value written out in full: what printing
     * or comparing it costs, although references let arrays share their parts.
     */
    long weight();

    /** How deep arrays nest in the value: 0 for a string or an integer. */
    int depth();

    /** Whether two values have the same content, ignoring locations. */
    static boolean sameContent(Value a, Value b) {
        if (a instanceof ArrayValue aa && b instanceof ArrayValue ab && aa.entries() == ab.entries()) {
            return true; // shared by a reference: comparing a large value with itself need not walk it
        }
        if (a instanceof StringValue sa && b instanceof StringValue sb) {
            return sa.value().equals(sb.value());
        }
        if (a instanceof IntValue ia && b instanceof IntValue ib) {
            return ia.value() == ib.value();
        }
        if (a instanceof ArrayValue aa && b instanceof ArrayValue ab) {
            if (aa.entries().size() != ab.entries().size()) {
                return false;
            }
            for (int i = 0; i < aa.entries().size(); i++) {
                Entry ea = aa.entries().get(i);
                Entry eb = ab.entries().get(i);
                if (!Objects.equals(ea.key(), eb.key()) || !sameContent(ea.value(), eb.value())) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** A string. */
    record StringValue(String value, SourceLocation location) implements Value {

        @Override
        public String describe() {
            return Token.quote(value);
        }

        @Override
        public Value at(SourceLocation newLocation) {
            return new StringValue(value, newLocation);
        }

        @Override
        public long weight() {
            return value.length();
        }

        @Override
        public int depth() {
            return 0;
        }
    }

    /** An integer. */
    record IntValue(int value, SourceLocation location) implements Value {

        @Override
        public String describe() {
            return Integer.toString(value);
        }

        @Override
        public Value at(SourceLocation newLocation) {
            return new IntValue(value, newLocation);
        }

        @Override
        public long weight() {
            return 1;
        }

        @Override
        public int depth() {
            return 0;
        }
    }

    /**
     * An array; elements with a key make it a hash, lighttpd allows both kinds in one array.
     * {@code weight} and {@code depth} are computed once, from the entries', so that bounding a
     * value built from shared parts never walks it.
     */
    record ArrayValue(List<Entry> entries, SourceLocation location, long weight, int depth) implements Value {

        public ArrayValue {
            entries = List.copyOf(entries);
        }

        public ArrayValue(List<Entry> entries, SourceLocation location) {
            this(entries, location, weightOf(entries), depthOf(entries));
        }

        /** The weight an array of {@code entries} has. */
        public static long weightOf(List<Entry> entries) {
            long weight = 1;
            for (Entry entry : entries) {
                weight += 1 + (entry.key() == null ? 0 : entry.key().length()) + entry.value().weight();
            }
            return weight;
        }

        /** The depth an array of {@code entries} has. */
        public static int depthOf(List<Entry> entries) {
            int deepest = 0;
            for (Entry entry : entries) {
                deepest = Math.max(deepest, entry.value().depth());
            }
            return deepest + 1;
        }

        /** The entry with this key, if any. */
        public Optional<Entry> get(String key) {
            return entries.stream().filter(e -> key.equals(e.key())).findFirst();
        }

        @Override
        public String describe() {
            String inner = entries.stream()
                    .map(e -> e.key() == null ? e.value().describe() : Token.quote(e.key()) + " => " + e.value().describe())
                    .collect(Collectors.joining(", "));
            String shown = "( " + inner + " )";
            return shown.length() <= 80 ? shown : shown.substring(0, 76) + "... )";
        }

        @Override
        public Value at(SourceLocation newLocation) {
            return new ArrayValue(entries, newLocation, weight, depth);
        }
    }

    /**
     * One array element. {@code key} is null for elements written without {@code =>};
     * {@code keyValue} is the key as evaluated (an integer key is kept as text in {@code key}, as
     * lighttpd does, but some directives insist on a string).
     */
    record Entry(String key, Value keyValue, Value value) {

        /** Where the element starts: its key if it has one, else its value. */
        public SourceLocation location() {
            return keyValue != null ? keyValue.location() : value.location();
        }
    }
}
