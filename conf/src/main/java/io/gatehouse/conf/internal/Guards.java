package io.gatehouse.conf.internal;

import java.util.List;
import java.util.stream.Collectors;

import io.gatehouse.conf.Guard;
import io.gatehouse.conf.RequestFacts;

/**
 * Guards that combine others: all of a list (a nested block holds when its parents and its own
 * condition hold) and a negation (an {@code else} branch holds when the earlier branches do not).
 *
 * <p>All guards made here are immutable and thread-safe.
 */
public final class Guards {

    private Guards() {
    }

    /** A guard that holds when every one of {@code guards} holds; the single guard itself if there is one. */
    public static Guard allOf(List<Guard> guards) {
        if (guards.size() == 1) {
            return guards.get(0);
        }
        List<Guard> copy = List.copyOf(guards);
        return new Guard() {
            @Override
            public boolean test(RequestFacts facts) {
                for (Guard guard : copy) {
                    if (!guard.test(facts)) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public String describe() {
                return copy.stream().map(Guard::describe).collect(Collectors.joining(" && "));
            }

            @Override
            public String toString() {
                return describe();
            }
        };
    }

    /** A guard that holds when {@code guard} does not. */
    public static Guard not(Guard guard) {
        return new Guard() {
            @Override
            public boolean test(RequestFacts facts) {
                return !guard.test(facts);
            }

            @Override
            public String describe() {
                return "!(" + guard.describe() + ")";
            }

            @Override
            public String toString() {
                return describe();
            }
        };
    }
}
