package io.gatehouse.conf.internal;

/**
 * The kinds of token of the lighttpd config language, each with the text used in error messages.
 *
 * <p>Immutable; thread-safe.
 */
public enum TokenKind {
    STRING("a string"),
    INTEGER("an integer"),
    NAME("a name"),
    CONDITION("a condition"),
    ASSIGN("'='"),
    REPLACE("':='"),
    APPEND("'+='"),
    PLUS("'+'"),
    COMMA("','"),
    ARROW("'=>'"),
    LPAREN("'('"),
    RPAREN("')'"),
    LBRACE("'{'"),
    RBRACE("'}'"),
    LBRACKET("'['"),
    RBRACKET("']'"),
    EQ("'=='"),
    NE("'!='"),
    MATCH("'=~'"),
    NO_MATCH("'!~'"),
    PREFIX("'=^'"),
    SUFFIX("'=$'"),
    NEWLINE("end of line"),
    EOF("end of file");

    private final String description;

    TokenKind(String description) {
        this.description = description;
    }

    /** How the kind reads in a message ("a string", "'=>'"). */
    public String description() {
        return description;
    }

    /** Whether this is one of the comparison operators of a condition. */
    public boolean isComparison() {
        return this == EQ || this == NE || this == MATCH || this == NO_MATCH || this == PREFIX || this == SUFFIX;
    }
}
