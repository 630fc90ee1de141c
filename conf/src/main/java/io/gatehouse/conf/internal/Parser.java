package io.gatehouse.conf.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.internal.Expression.ArrayLiteral;
import io.gatehouse.conf.internal.Expression.Concatenation;
import io.gatehouse.conf.internal.Expression.Element;
import io.gatehouse.conf.internal.Expression.IntegerLiteral;
import io.gatehouse.conf.internal.Expression.Reference;
import io.gatehouse.conf.internal.Expression.StringLiteral;
import io.gatehouse.conf.internal.Statement.AssignOperator;
import io.gatehouse.conf.internal.Statement.Assignment;
import io.gatehouse.conf.internal.Statement.Branch;
import io.gatehouse.conf.internal.Statement.ConditionChain;
import io.gatehouse.conf.internal.Statement.ConditionSpec;
import io.gatehouse.conf.internal.Statement.Global;
import io.gatehouse.conf.internal.Statement.Include;
import io.gatehouse.conf.internal.Statement.IncludeShell;

/**
 * Recursive-descent parser from tokens to statements. It only checks syntax; names, types and
 * includes are the evaluator's business.
 *
 * <p>Not thread-safe; use one instance per token list (the static {@link #parse} does).
 */
public final class Parser {

    /** Nobody nests blocks or arrays this deep by hand; the bound keeps recursion off the stack limit. */
    public static final int MAX_NESTING_DEPTH = 64;

    /**
     * Real else chains pick among a few vhosts or paths. Each branch is guarded by the negation of
     * every earlier one, so a chain costs the square of its length, per parse and per request.
     */
    public static final int MAX_CHAIN_BRANCHES = 256;

    private static final Set<String> ELSE_WORDS = Set.of("else", "elseif", "elsif", "elif");
    private static final String STATEMENT = "a statement (key = value, include or a condition)";

    private final List<Token> tokens;
    private int pos;
    private int depth;
    private int parenDepth;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Parses a whole file; {@code tokens} must end with EOF as {@link Lexer#tokenize} returns them. */
    public static List<Statement> parse(List<Token> tokens) throws ConfigException {
        return new Parser(tokens).statements(false);
    }

    private List<Statement> statements(boolean inBlock) throws ConfigException {
        List<Statement> result = new ArrayList<>();
        while (true) {
            skipNewlines();
            Token token = peek();
            if (token.kind() == TokenKind.EOF) {
                if (inBlock) {
                    throw unexpected(token, "'}'");
                }
                return result;
            }
            if (token.kind() == TokenKind.RBRACE) {
                if (!inBlock) {
                    throw unexpected(token, STATEMENT + " (there is no open '{')");
                }
                return result;
            }
            Statement statement = statement();
            result.add(statement);
            boolean endsWithBrace = statement instanceof ConditionChain || statement instanceof Global;
            Token end = peek();
            boolean terminated = end.kind() == TokenKind.NEWLINE || end.kind() == TokenKind.EOF
                    || (end.kind() == TokenKind.RBRACE && inBlock);
            if (!endsWithBrace && !terminated) {
                throw unexpected(end, "end of line");
            }
        }
    }

    private Statement statement() throws ConfigException {
        Token token = peek();
        if (token.kind() == TokenKind.CONDITION) {
            return chain();
        }
        if (token.kind() != TokenKind.NAME) {
            throw unexpected(token, STATEMENT);
        }
        String word = token.text();
        if (word.equals("if") && peekAt(1).kind() == TokenKind.CONDITION) {
            next();
            return chain();
        }
        if (word.equals("include") || word.equals("include_shell")) {
            next();
            Expression argument = expression();
            return word.equals("include") ? new Include(argument, token.location())
                    : new IncludeShell(argument, token.location());
        }
        if (word.equals("global") && peekAt(1).kind() == TokenKind.LBRACE) {
            next();
            return new Global(block(), token.location());
        }
        if (ELSE_WORDS.contains(word)) {
            throw unexpected(token, STATEMENT + " ('" + word + "' must follow the '}' of a condition block)");
        }
        return assignment();
    }

    private Statement assignment() throws ConfigException {
        Token key = next();
        Token operator = next();
        AssignOperator assignOperator = switch (operator.kind()) {
            case ASSIGN -> AssignOperator.SET;
            case REPLACE -> AssignOperator.REPLACE;
            case APPEND -> AssignOperator.APPEND;
            default -> throw unexpected(operator, "an assignment operator ('=', ':=' or '+=') after '"
                    + key.text() + "'");
        };
        return new Assignment(key.text(), assignOperator, expression(), key.location());
    }

    private ConditionChain chain() throws ConfigException {
        List<Branch> branches = new ArrayList<>();
        Token first = peek();
        ConditionSpec firstCondition = condition();
        branches.add(new Branch(firstCondition, block(), first.location()));
        while (true) {
            int save = pos;
            skipNewlines();
            Token word = peek();
            if (word.kind() != TokenKind.NAME || !ELSE_WORDS.contains(word.text())) {
                pos = save;
                return new ConditionChain(branches);
            }
            next();
            if (branches.size() >= MAX_CHAIN_BRANCHES) {
                throw new ConfigException(word.location(), "'" + word.text() + "' starts branch "
                        + (branches.size() + 1) + " of the chain begun at " + first.location() + ", more than the limit of "
                        + MAX_CHAIN_BRANCHES + " branches, expected a shorter chain (separate conditions)");
            }
            if (word.text().equals("else") && peek().kind() == TokenKind.NAME && peek().text().equals("if")) {
                next();
            } else if (word.text().equals("else") && peek().kind() == TokenKind.LBRACE) {
                branches.add(new Branch(null, block(), word.location()));
                return new ConditionChain(branches);
            }
            if (peek().kind() != TokenKind.CONDITION) {
                throw unexpected(peek(), word.text().equals("else") ? "'{' or a condition after 'else'"
                        : "a condition after '" + word.text() + "'");
            }
            branches.add(new Branch(condition(), block(), word.location()));
        }
    }

    private ConditionSpec condition() throws ConfigException {
        Token variable = next();
        expect(TokenKind.LBRACKET, "'[' after '$" + variable.text() + "'");
        Token field = expect(TokenKind.STRING, "a field name in double quotes, such as \"host\"");
        expect(TokenKind.RBRACKET, "']'");
        Token operator = next();
        if (!operator.kind().isComparison()) {
            throw unexpected(operator, "a comparison operator (==, !=, =~, !~, =^ or =$)");
        }
        Expression pattern = expression();
        return new ConditionSpec(variable.text(), field.text(), field.location(), operator.kind(),
                operator.location(), pattern, variable.location());
    }

    private List<Statement> block() throws ConfigException {
        skipNewlines();
        Token open = expect(TokenKind.LBRACE, "'{'");
        enter(open);
        List<Statement> body = statements(true);
        expect(TokenKind.RBRACE, "'}'");
        depth--;
        return body;
    }

    private Expression expression() throws ConfigException {
        Expression first = value();
        if (peek().kind() != TokenKind.PLUS) {
            return first;
        }
        List<Expression> operands = new ArrayList<>(List.of(first));
        while (peek().kind() == TokenKind.PLUS) {
            next();
            operands.add(value());
        }
        return new Concatenation(operands);
    }

    private Expression value() throws ConfigException {
        Token token = peek();
        return switch (token.kind()) {
            case STRING -> new StringLiteral(next().text(), token.location());
            case INTEGER -> new IntegerLiteral(Integer.parseInt(next().text()), token.location());
            case NAME -> new Reference(next().text(), token.location());
            case LPAREN -> array();
            default -> throw unexpected(token, "a value");
        };
    }

    private ArrayLiteral array() throws ConfigException {
        Token open = next();
        enter(open);
        parenDepth++;
        List<Element> elements = new ArrayList<>();
        if (peek().kind() == TokenKind.COMMA && peekAt(1).kind() == TokenKind.RPAREN) {
            next();
        }
        while (peek().kind() != TokenKind.RPAREN) {
            if (!startsValue(peek())) {
                throw unexpected(peek(), "a value or ')'");
            }
            Expression first = expression();
            if (peek().kind() == TokenKind.ARROW) {
                next();
                elements.add(new Element(first, expression()));
            } else {
                elements.add(new Element(null, first));
            }
            if (peek().kind() == TokenKind.COMMA) {
                next();
            } else if (peek().kind() != TokenKind.RPAREN) {
                throw unexpected(peek(), "',' or ')'");
            }
        }
        next();
        parenDepth--;
        depth--;
        return new ArrayLiteral(elements, open.location());
    }

    private static boolean startsValue(Token token) {
        return switch (token.kind()) {
            case STRING, INTEGER, NAME, LPAREN -> true;
            default -> false;
        };
    }

    private void enter(Token token) throws ConfigException {
        if (++depth > MAX_NESTING_DEPTH) {
            throw new ConfigException(token.location(), "nesting deeper than the limit of " + MAX_NESTING_DEPTH
                    + " blocks and parentheses, expected a flatter config");
        }
    }

    private Token expect(TokenKind kind, String expected) throws ConfigException {
        Token token = peek();
        if (token.kind() != kind) {
            throw unexpected(token, expected);
        }
        return next();
    }

    private ConfigException unexpected(Token token, String expected) {
        String found = token.describe();
        if (token.kind() == TokenKind.ARROW && parenDepth == 0) {
            found += " outside parentheses";
        }
        return new ConfigException(token.location(), "unexpected " + found + ", expected " + expected);
    }

    private void skipNewlines() {
        while (peek().kind() == TokenKind.NEWLINE) {
            pos++;
        }
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token token = tokens.get(pos);
        if (token.kind() != TokenKind.EOF) {
            pos++;
        }
        return token;
    }
}
