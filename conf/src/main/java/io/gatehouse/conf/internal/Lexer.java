package io.gatehouse.conf.internal;

import java.util.ArrayList;
import java.util.List;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.SourceLocation;

/**
 * Splits lighttpd config text into tokens. Newlines end statements, so they are tokens too, except
 * inside parentheses where lighttpd lets arrays span lines. Strings know one escape, {@code \"};
 * every other backslash is kept as written, as lighttpd does.
 *
 * <p>Not thread-safe; use one instance per text (the static {@link #tokenize} does).
 */
public final class Lexer {

    /** lighttpd keeps config integers in a C int; anything larger is a typo, not a setting. */
    public static final long MAX_INTEGER = Integer.MAX_VALUE;

    private static final char NO_BREAK_SPACE = '\u00a0';
    private static final char BYTE_ORDER_MARK = '\ufeff';

    private final String text;
    private final String file;
    private final ParseBudget budget;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int lineStart;
    private int parenDepth;

    private Lexer(String text, String file, ParseBudget budget) {
        this.text = text;
        this.file = file;
        this.budget = budget;
    }

    /** Tokenizes {@code text}; locations name {@code file}. The list always ends with an EOF token. */
    public static List<Token> tokenize(String text, String file) throws ConfigException {
        return tokenize(text, file, new ParseBudget());
    }

    /** Like {@link #tokenize(String, String)}, counting the tokens against the parse's {@code budget}. */
    public static List<Token> tokenize(String text, String file, ParseBudget budget) throws ConfigException {
        Lexer lexer = new Lexer(text, file, budget);
        lexer.run();
        return lexer.tokens;
    }

    private void run() throws ConfigException {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                if (parenDepth == 0) {
                    add(TokenKind.NEWLINE, "\n", here());
                }
                pos++;
                line++;
                lineStart = pos;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == NO_BREAK_SPACE || c == BYTE_ORDER_MARK) {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '"') {
                string();
            } else if (isDigit(c)) {
                integer();
            } else if (isLetter(c) || c == '_') {
                SourceLocation start = here();
                add(TokenKind.NAME, takeWhileNameChar(), start);
            } else if (c == '$') {
                condition();
            } else {
                operator(c);
            }
        }
        add(TokenKind.EOF, "", here());
    }

    private void string() throws ConfigException {
        SourceLocation start = here();
        StringBuilder value = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length()) {
                throw new ConfigException(start, "unterminated string, expected a closing '\"'");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                break;
            }
            if (c == '\\' && pos + 1 < text.length() && text.charAt(pos + 1) == '"') {
                value.append('"');
                pos += 2;
                continue;
            }
            if (c == '\0') {
                // lighttpd's C strings end at NUL, and no path or name may contain one.
                throw new ConfigException(here(), "unexpected NUL character in string, expected text");
            }
            if (c == '\n') {
                line++;
                lineStart = pos + 1;
            }
            value.append(c);
            pos++;
        }
        add(TokenKind.STRING, value.toString(), start);
    }

    private void integer() throws ConfigException {
        SourceLocation start = here();
        int begin = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos < text.length() && isNameChar(text.charAt(pos))) {
            String word = text.substring(begin, pos) + takeWhileNameChar();
            throw new ConfigException(start, "'" + word + "' is neither an integer nor a name,"
                    + " expected decimal digits only (names start with a letter)");
        }
        String digits = text.substring(begin, pos);
        String significant = digits.replaceFirst("^0+(?=.)", "");
        if (significant.length() > 10 || Long.parseLong(significant) > MAX_INTEGER) {
            throw new ConfigException(start, "integer " + digits + " is larger than the limit " + MAX_INTEGER
                    + ", expected a smaller number");
        }
        add(TokenKind.INTEGER, significant, start);
    }

    private void condition() throws ConfigException {
        SourceLocation start = here();
        pos++;
        int begin = pos;
        while (pos < text.length() && (isLetter(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (begin == pos) {
            throw new ConfigException(start, "unexpected character '$', expected a condition such as $HTTP[\"host\"]");
        }
        add(TokenKind.CONDITION, text.substring(begin, pos), start);
    }

    private void operator(char c) throws ConfigException {
        SourceLocation start = here();
        char next = pos + 1 < text.length() ? text.charAt(pos + 1) : '\0';
        TokenKind kind;
        int length = 1;
        switch (c) {
            case '=' -> {
                kind = switch (next) {
                    case '=' -> TokenKind.EQ;
                    case '~' -> TokenKind.MATCH;
                    case '^' -> TokenKind.PREFIX;
                    case '$' -> TokenKind.SUFFIX;
                    case '>' -> TokenKind.ARROW;
                    default -> TokenKind.ASSIGN;
                };
                length = kind == TokenKind.ASSIGN ? 1 : 2;
            }
            case '!' -> {
                if (next != '=' && next != '~') {
                    throw unexpectedCharacter(c, start);
                }
                kind = next == '=' ? TokenKind.NE : TokenKind.NO_MATCH;
                length = 2;
            }
            case ':' -> {
                if (next != '=') {
                    throw unexpectedCharacter(c, start);
                }
                kind = TokenKind.REPLACE;
                length = 2;
            }
            case '+' -> {
                kind = next == '=' ? TokenKind.APPEND : TokenKind.PLUS;
                length = next == '=' ? 2 : 1;
            }
            case '(' -> {
                kind = TokenKind.LPAREN;
                parenDepth++;
            }
            case ')' -> {
                kind = TokenKind.RPAREN;
                parenDepth = Math.max(0, parenDepth - 1);
            }
            case ',' -> kind = TokenKind.COMMA;
            case '{' -> kind = TokenKind.LBRACE;
            case '}' -> kind = TokenKind.RBRACE;
            case '[' -> kind = TokenKind.LBRACKET;
            case ']' -> kind = TokenKind.RBRACKET;
            default -> throw unexpectedCharacter(c, start);
        }
        add(kind, text.substring(pos, pos + length), start);
        pos += length;
    }

    private ConfigException unexpectedCharacter(char c, SourceLocation at) {
        String shown = Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        String expected = c == ';'
                ? "a line break (statements end at the end of the line, not with ';')"
                : "a name, a value or an operator";
        return new ConfigException(at, "unexpected character '" + shown + "', expected " + expected);
    }

    private String takeWhileNameChar() {
        int begin = pos;
        while (pos < text.length() && isNameChar(text.charAt(pos))) {
            pos++;
        }
        return text.substring(begin, pos);
    }

    private void add(TokenKind kind, String tokenText, SourceLocation at) throws ConfigException {
        budget.token(at);
        tokens.add(new Token(kind, tokenText, at));
    }

    private SourceLocation here() {
        return new SourceLocation(file, line, pos - lineStart + 1);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isNameChar(char c) {
        return isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '-';
    }
}
