package io.gatehouse.conf.internal;

import java.util.List;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.internal.Statement.Assignment;
import io.gatehouse.conf.internal.Statement.ConditionChain;
import io.gatehouse.conf.internal.Statement.Global;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParserTest {

    private static List<Statement> parse(String text) throws ConfigException {
        return Parser.parse(Lexer.tokenize(text, "p.conf"));
    }

    private static String error(String text) {
        return assertThrows(ConfigException.class, () -> parse(text)).getMessage();
    }

    @Test
    void assignmentsWithEachOperator() throws ConfigException {
        List<Statement> statements = parse("a = 1\nb := 2\n\n\nc += 3");
        assertEquals(3, statements.size());
        assertEquals(Statement.AssignOperator.SET, ((Assignment) statements.get(0)).operator());
        assertEquals(Statement.AssignOperator.REPLACE, ((Assignment) statements.get(1)).operator());
        assertEquals(Statement.AssignOperator.APPEND, ((Assignment) statements.get(2)).operator());
    }

    @Test
    void concatenationAndNestedArrays() throws ConfigException {
        Assignment a = (Assignment) parse("x = \"a\" + b + ( \"k\" => ( 1, 2, ), \"v\" )").get(0);
        Expression.Concatenation concatenation = assertInstanceOf(Expression.Concatenation.class, a.value());
        assertEquals(3, concatenation.operands().size());
        Expression.ArrayLiteral array = assertInstanceOf(Expression.ArrayLiteral.class, concatenation.operands().get(2));
        assertEquals(2, array.elements().size());
        assertNull(array.elements().get(1).key());
    }

    @Test
    void emptyArraysIncludingTheLoneComma() throws ConfigException {
        assertEquals(0, ((Expression.ArrayLiteral) ((Assignment) parse("x = ( )").get(0)).value()).elements().size());
        assertEquals(0, ((Expression.ArrayLiteral) ((Assignment) parse("x = (,)").get(0)).value()).elements().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"else if", "elseif", "elsif", "elif", "else"})
    void everyElseSpellingContinuesTheChain(String word) throws ConfigException {
        String text = "$HTTP[\"host\"] == \"a\" { x = 1 }\n# comment\n\n" + word
                + " $HTTP[\"host\"] == \"b\" {\n y = 2\n}\nelse { z = 3 }\nw = 4";
        List<Statement> statements = parse(text);
        assertEquals(2, statements.size());
        ConditionChain chain = (ConditionChain) statements.get(0);
        assertEquals(3, chain.branches().size());
        assertNull(chain.branches().get(2).condition());
        assertEquals("b", ((Expression.StringLiteral) chain.branches().get(1).condition().pattern()).value());
    }

    @Test
    void optionalIfKeywordAndBlocksOnOneLine() throws ConfigException {
        List<Statement> statements = parse("if $HTTP[\"url\"] =$ \".php\" { a = 1 } b = 2");
        assertEquals(2, statements.size());
        assertEquals(TokenKind.SUFFIX, ((ConditionChain) statements.get(0)).branches().get(0).condition().operator());
    }

    @Test
    void globalBlockAndIncludes() throws ConfigException {
        List<Statement> statements = parse("global {\n include \"a.conf\"\n include_shell \"echo\"\n}");
        Global global = (Global) statements.get(0);
        assertInstanceOf(Statement.Include.class, global.body().get(0));
        assertInstanceOf(Statement.IncludeShell.class, global.body().get(1));
    }

    @Test
    void nestingIsBounded() {
        String deep = "x = " + "(".repeat(Parser.MAX_NESTING_DEPTH + 1) + ")".repeat(Parser.MAX_NESTING_DEPTH + 1);
        assertEquals("p.conf:1:69: nesting deeper than the limit of 64 blocks and parentheses,"
                + " expected a flatter config", error(deep));
    }

    @Test
    void syntaxErrorsNameWhatWasFoundAndWhatWasExpected() {
        assertEquals("p.conf:1:1: unexpected '}', expected a statement (key = value, include or a condition)"
                + " (there is no open '{')", error("}"));
        assertEquals("p.conf:3:1: unexpected end of file, expected '}'", error("$HTTP[\"host\"] == \"a\" {\n x = 1\n"));
        assertEquals("p.conf:1:13: unexpected integer 80, expected an assignment operator ('=', ':=' or '+=')"
                + " after 'server.port'", error("server.port 80"));
        assertEquals("p.conf:1:13: unexpected '=>' outside parentheses, expected an assignment operator"
                + " ('=', ':=' or '+=') after 'server.port'", error("server.port => 80"));
        assertEquals("p.conf:1:19: unexpected '=>' outside parentheses, expected end of line",
                error("server.tag = \"a\"  => \"b\""));
        assertEquals("p.conf:1:5: unexpected end of line, expected a value", error("x = \ny = 1"));
        assertEquals("p.conf:1:5: unexpected '=', expected a value", error("x = = 1"));
        assertEquals("p.conf:1:9: unexpected string \"b\", expected end of line", error("x = \"a\" \"b\""));
        assertEquals("p.conf:1:11: unexpected string \"b\", expected ',' or ')'", error("x = ( \"a\" \"b\" )"));
        assertEquals("p.conf:2:1: unexpected end of file, expected ',' or ')'", error("x = ( \"a\"\n"));
        assertEquals("p.conf:2:1: unexpected end of file, expected a value or ')'", error("x = (\n"));
        assertEquals("p.conf:1:9: unexpected ',', expected a value or ')'", error("x = ( 1,, 2 )"));
        assertEquals("p.conf:1:7: unexpected 'y', expected end of line", error("x = 1 y = 2"));
        assertEquals("p.conf:1:7: unexpected '}', expected end of line", error("x = 1 }"));
        assertEquals("p.conf:1:1: unexpected 'else', expected a statement (key = value, include or a condition)"
                + " ('else' must follow the '}' of a condition block)", error("else { }"));
        assertEquals("p.conf:2:1: unexpected 'elif', expected a statement (key = value, include or a condition)"
                + " ('elif' must follow the '}' of a condition block)",
                error("$HTTP[\"host\"] == \"a\" { } else { }\nelif $HTTP[\"host\"] == \"b\" { }"));
        assertEquals("p.conf:1:31: unexpected string \"x\", expected '{' or a condition after 'else'",
                error("$HTTP[\"host\"] == \"a\" { } else \"x\""));
        assertEquals("p.conf:1:33: unexpected '{', expected a condition after 'elseif'",
                error("$HTTP[\"host\"] == \"a\" { } elseif { }"));
        assertEquals("p.conf:1:7: unexpected string \"host\", expected '[' after '$HTTP'", error("$HTTP \"host\" == \"a\" {}"));
        assertEquals("p.conf:1:7: unexpected 'host', expected a field name in double quotes, such as \"host\"",
                error("$HTTP[host] == \"a\" {}"));
        assertEquals("p.conf:1:14: unexpected '==', expected ']'", error("$HTTP[\"host\" == \"a\" {}"));
        assertEquals("p.conf:1:15: unexpected '=', expected a comparison operator (==, !=, =~, !~, =^ or =$)",
                error("$HTTP[\"host\"] = \"a\" { }"));
        assertEquals("p.conf:2:1: unexpected 'x', expected '{'", error("$HTTP[\"host\"] == \"a\"\nx = 1"));
        assertEquals("p.conf:1:1: unexpected string \"x\", expected a statement (key = value, include or a condition)",
                error("\"x\" = 1"));
    }
}
