package io.gatehouse.conf.internal;

import java.util.List;
import java.util.stream.Collectors;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.SourceLocation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LexerTest {

    private static List<Token> lex(String text) throws ConfigException {
        return Lexer.tokenize(text, "f.conf");
    }

    private static String kinds(String text) throws ConfigException {
        return lex(text).stream().map(t -> t.kind().name()).collect(Collectors.joining(" "));
    }

    @Test
    void assignmentTokensCarryLineAndColumn() throws ConfigException {
        List<Token> tokens = lex("server.port = 80\n  x += \"a\"\n");
        assertEquals(List.of(
                new Token(TokenKind.NAME, "server.port", new SourceLocation("f.conf", 1, 1)),
                new Token(TokenKind.ASSIGN, "=", new SourceLocation("f.conf", 1, 13)),
                new Token(TokenKind.INTEGER, "80", new SourceLocation("f.conf", 1, 15)),
                new Token(TokenKind.NEWLINE, "\n", new SourceLocation("f.conf", 1, 17)),
                new Token(TokenKind.NAME, "x", new SourceLocation("f.conf", 2, 3)),
                new Token(TokenKind.APPEND, "+=", new SourceLocation("f.conf", 2, 5)),
                new Token(TokenKind.STRING, "a", new SourceLocation("f.conf", 2, 8)),
                new Token(TokenKind.NEWLINE, "\n", new SourceLocation("f.conf", 2, 11)),
                new Token(TokenKind.EOF, "", new SourceLocation("f.conf", 3, 1))), tokens);
    }

    @Test
    void everyOperatorIsRecognised() throws ConfigException {
        assertEquals("ASSIGN REPLACE APPEND PLUS COMMA ARROW LPAREN RPAREN LBRACE RBRACE LBRACKET RBRACKET"
                + " EQ NE MATCH NO_MATCH PREFIX SUFFIX EOF", kinds("= := += + , => ( ) { } [ ] == != =~ !~ =^ =$"));
    }

    @Test
    void onlyBackslashQuoteIsAnEscape() throws ConfigException {
        assertEquals("a\"b\\c\\n", lex("\"a\\\"b\\c\\n\"").get(0).text());
    }

    @Test
    void stringsMaySpanLinesAndLineCountingContinues() throws ConfigException {
        List<Token> tokens = lex("x = \"one\ntwo\"\ny = 1");
        assertEquals("one\ntwo", tokens.get(2).text());
        assertEquals(new SourceLocation("f.conf", 3, 1), tokens.get(4).location());
    }

    @Test
    void newlinesInsideParenthesesAreNotStatementEnds() throws ConfigException {
        assertEquals("NAME ASSIGN LPAREN STRING COMMA STRING COMMA RPAREN NEWLINE EOF",
                kinds("x = (\n  \"a\",\n  \"b\",\n)\n"));
    }

    @Test
    void commentsRunToTheEndOfTheLine() throws ConfigException {
        assertEquals("NAME ASSIGN INTEGER NEWLINE NEWLINE NAME EOF", kinds("x = 1 # \"not a string\"\n# whole line\ny"));
    }

    @Test
    void noBreakSpaceCarriageReturnAndByteOrderMarkAreWhitespace() throws ConfigException {
        assertEquals("NAME ASSIGN INTEGER NEWLINE EOF", kinds("\ufeffx\u00a0=\t1\r\n"));
    }

    @Test
    void namesAllowDotsDashesUnderscoresAndDigits() throws ConfigException {
        Token token = lex("include_shell server.max-keep-alive-idle var.x_2").get(1);
        assertEquals("server.max-keep-alive-idle", token.text());
        assertEquals("include_shell", lex("include_shell").get(0).text());
    }

    @Test
    void conditionVariablesDropTheDollar() throws ConfigException {
        Token token = lex("$REQUEST_HEADER[\"X\"]").get(0);
        assertEquals(TokenKind.CONDITION, token.kind());
        assertEquals("REQUEST_HEADER", token.text());
    }

    @Test
    void integersLoseLeadingZerosAndStopAtTheLimit() throws ConfigException {
        assertEquals("8", lex("008").get(0).text());
        assertEquals("0", lex("0").get(0).text());
        assertEquals("2147483647", lex("2147483647").get(0).text());
        ConfigException e = assertThrows(ConfigException.class, () -> lex("x = 2147483648"));
        assertEquals("f.conf:1:5: integer 2147483648 is larger than the limit 2147483647, expected a smaller number",
                e.getMessage());
    }

    @Test
    void errorsNameTheirPosition() {
        assertEquals("f.conf:2:3: unterminated string, expected a closing '\"'",
                assertThrows(ConfigException.class, () -> lex("x = 1\ny \"abc\n")).getMessage());
        assertEquals("f.conf:1:6: unexpected character ';', expected a line break"
                + " (statements end at the end of the line, not with ';')",
                assertThrows(ConfigException.class, () -> lex("x = 1; y = 2")).getMessage());
        assertEquals("f.conf:1:5: unexpected character '!', expected a name, a value or an operator",
                assertThrows(ConfigException.class, () -> lex("x = !y")).getMessage());
        assertEquals("f.conf:1:2: unexpected character ':', expected a name, a value or an operator",
                assertThrows(ConfigException.class, () -> lex("x: 1")).getMessage());
        assertEquals("f.conf:1:1: unexpected character '$', expected a condition such as $HTTP[\"host\"]",
                assertThrows(ConfigException.class, () -> lex("$[\"host\"]")).getMessage());
        assertEquals("f.conf:1:5: '12ab' is neither an integer nor a name, expected decimal digits only"
                + " (names start with a letter)",
                assertThrows(ConfigException.class, () -> lex("x = 12ab")).getMessage());
        assertEquals("f.conf:1:5: unexpected character '\\u0007', expected a name, a value or an operator",
                assertThrows(ConfigException.class, () -> lex("x = \u0007")).getMessage());
    }
}
