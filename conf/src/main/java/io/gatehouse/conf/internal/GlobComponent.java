package io.gatehouse.conf.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * One path component of a glob ({@code *}, {@code ?}, {@code [...]} with {@code !}/{@code ^}
 * negation and {@code a-z} ranges, {@code \x} quoting) matched against a file name in
 * O(pattern × name) steps.
 *
 * <p>Not a regular expression on purpose: {@code loo***…***p} as a backtracking regex takes
 * exponential time on {@code loop.conf}, and a config is read before anything else runs. Only the
 * last {@code *} is ever backtracked to, which is enough because each token matches exactly one
 * character.
 *
 * <p>Immutable; thread-safe.
 */
final class GlobComponent {

    private sealed interface Token permits Literal, AnyChar, CharClass, Star {
    }

    private record Literal(char value) implements Token {
    }

    private record AnyChar() implements Token {
    }

    private record Star() implements Token {
    }

    /** {@code ranges} holds pairs: first, last, first, last, … (a single character is a pair of itself). */
    private record CharClass(char[] ranges, boolean negated) implements Token {
        boolean contains(char c) {
            boolean inside = false;
            for (int i = 0; i < ranges.length && !inside; i += 2) {
                inside = c >= ranges[i] && c <= ranges[i + 1];
            }
            return inside != negated;
        }
    }

    private final Token[] tokens;

    private GlobComponent(Token[] tokens) {
        this.tokens = tokens;
    }

    /** Whether {@code component} has a wildcard that needs a directory listing. */
    static boolean isWild(String component) {
        return component.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
    }

    static GlobComponent compile(String component) {
        List<Token> tokens = new ArrayList<>();
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            if (c == '\\' && i + 1 < component.length()) {
                tokens.add(new Literal(component.charAt(++i)));
            } else if (c == '*') {
                if (tokens.isEmpty() || !(tokens.get(tokens.size() - 1) instanceof Star)) {
                    tokens.add(new Star());
                }
            } else if (c == '?') {
                tokens.add(new AnyChar());
            } else if (c == '[' && classEnd(component, i) > 0) {
                int close = classEnd(component, i);
                tokens.add(charClass(component.substring(i + 1, close)));
                i = close;
            } else {
                tokens.add(new Literal(c));
            }
        }
        return new GlobComponent(tokens.toArray(Token[]::new));
    }

    /** Where the class opened at {@code open} ends, or -1: a ']' right after '[' or '[!' is a member, as in glob(3). */
    private static int classEnd(String component, int open) {
        int first = open + 1;
        if (first < component.length() && (component.charAt(first) == '!' || component.charAt(first) == '^')) {
            first++;
        }
        return component.indexOf(']', first + 1);
    }

    private static CharClass charClass(String body) {
        boolean negated = body.startsWith("!") || body.startsWith("^");
        String members = negated ? body.substring(1) : body;
        StringBuilder ranges = new StringBuilder();
        for (int i = 0; i < members.length(); i++) {
            char first = members.charAt(i);
            char last = first;
            if (i + 2 < members.length() && members.charAt(i + 1) == '-') {
                last = members.charAt(i + 2);
                i += 2;
            }
            ranges.append(first).append(last);
        }
        return new CharClass(ranges.toString().toCharArray(), negated);
    }

    boolean matches(String name) {
        int t = 0;
        int n = 0;
        int starToken = -1;
        int starName = -1;
        while (n < name.length()) {
            if (t < tokens.length && tokens[t] instanceof Star) {
                starToken = t++;
                starName = n;
            } else if (t < tokens.length && matchesOne(tokens[t], name.charAt(n))) {
                t++;
                n++;
            } else if (starToken >= 0) {
                t = starToken + 1;
                n = ++starName;
            } else {
                return false;
            }
        }
        while (t < tokens.length && tokens[t] instanceof Star) {
            t++;
        }
        return t == tokens.length;
    }

    private static boolean matchesOne(Token token, char c) {
        if (token instanceof Literal literal) {
            return literal.value() == c;
        }
        if (token instanceof CharClass charClass) {
            return charClass.contains(c);
        }
        return token instanceof AnyChar;
    }
}
