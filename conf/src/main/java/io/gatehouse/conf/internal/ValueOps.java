package io.gatehouse.conf.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.internal.Value.ArrayValue;
import io.gatehouse.conf.internal.Value.Entry;
import io.gatehouse.conf.internal.Value.IntValue;
import io.gatehouse.conf.internal.Value.StringValue;

/**
 * The {@code +} of the config language, also used by {@code +=}: strings concatenate, integers
 * add, an integer and a string concatenate as text, arrays merge (a key present on both sides is an
 * error unless both values are the same, as lighttpd).
 *
 * <p>Stateless; thread-safe.
 */
public final class ValueOps {

    private ValueOps() {
    }

    /** {@code left + right}; the result sits at {@code left}'s location, errors at {@code right}'s. */
    public static Value combine(Value left, Value right) throws ConfigException {
        if (left instanceof IntValue a && right instanceof IntValue b) {
            try {
                return new IntValue(Math.addExact(a.value(), b.value()), left.location());
            } catch (ArithmeticException e) {
                throw new ConfigException(right.location(), "integer overflow in " + a.value() + " + " + b.value()
                        + ", expected a sum up to " + Integer.MAX_VALUE);
            }
        }
        if (isScalar(left) && isScalar(right)) {
            String a = text(left);
            String b = text(right);
            ValueLimits.checkString((long) a.length() + b.length(), right.location());
            return new StringValue(a + b, left.location());
        }
        if (left instanceof ArrayValue a && right instanceof ArrayValue b) {
            return merge(a, b);
        }
        throw new ConfigException(right.location(), "cannot combine " + kind(left) + " with " + kind(right)
                + " " + right.describe() + ", expected two strings, two integers or two arrays");
    }

    private static ArrayValue merge(ArrayValue left, ArrayValue right) throws ConfigException {
        // Bounded before the copy: the sum over-counts only keys present on both sides.
        ValueLimits.checkArray((long) left.entries().size() + right.entries().size(), left.weight() + right.weight(),
                Math.max(left.depth(), right.depth()), right.location());
        List<Entry> entries = new ArrayList<>(left.entries());
        Map<String, Entry> leftByKey = new HashMap<>();
        for (Entry entry : left.entries()) {
            if (entry.key() != null) {
                leftByKey.putIfAbsent(entry.key(), entry);
            }
        }
        for (Entry entry : right.entries()) {
            if (entry.key() != null) {
                Entry existing = leftByKey.get(entry.key());
                if (existing != null) {
                    if (Value.sameContent(existing.value(), entry.value())) {
                        continue;
                    }
                    throw new ConfigException(entry.location(), "duplicate array key " + Token.quote(entry.key())
                            + " when merging arrays (first at " + existing.location() + "), expected each key once");
                }
            }
            entries.add(entry);
        }
        return new ArrayValue(entries, left.location());
    }

    /** "a string", "an integer" or "an array", for messages. */
    public static String kind(Value value) {
        if (value instanceof StringValue) {
            return "a string";
        }
        return value instanceof IntValue ? "an integer" : "an array";
    }

    private static boolean isScalar(Value value) {
        return value instanceof StringValue || value instanceof IntValue;
    }

    private static String text(Value value) {
        return value instanceof StringValue s ? s.value() : Integer.toString(((IntValue) value).value());
    }
}
