package io.gatehouse.conf.internal;

import io.gatehouse.conf.SourceLocation;

/**
 * One token: its kind, its text (the unescaped content for strings, the digits for integers, the
 * name for names and conditions) and where it starts.
 *
 * <p>Immutable; thread-safe.
 */
public record Token(TokenKind kind, String text, SourceLocation location) {

    /** Longest token text quoted in a message; a runaway string would otherwise flood the log. */
    private static final int MAX_QUOTED_CHARS = 60;

    /** How the token reads in a message: {@code 'server.port'}, {@code string "abc"}, {@code '=>'}. */
    public String describe() {
        return switch (kind) {
            case STRING -> "string " + quote(text);
            case INTEGER -> "integer " + text;
            case NAME -> "'" + abbreviate(text) + "'";
            case CONDITION -> "'$" + abbreviate(text) + "'";
            default -> kind.description();
        };
    }

    /** The text in double quotes, shortened if long, for messages. */
    public static String quote(String text) {
        return "\"" + abbreviate(text) + "\"";
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace("\n", "\\n");
        return oneLine.length() <= MAX_QUOTED_CHARS ? oneLine : oneLine.substring(0, MAX_QUOTED_CHARS) + "...";
    }
}
