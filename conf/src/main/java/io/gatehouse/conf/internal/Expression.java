package io.gatehouse.conf.internal;

import java.util.List;

import io.gatehouse.conf.SourceLocation;

/**
 * The right-hand side of an assignment, an include or a condition, as parsed and not yet evaluated.
 *
 * <p>All implementations are immutable records; thread-safe.
 */
public sealed interface Expression {

    /** Where the expression starts. */
    SourceLocation location();

    /** A string literal. */
    record StringLiteral(String value, SourceLocation location) implements Expression {
    }

    /** A decimal integer literal. */
    record IntegerLiteral(int value, SourceLocation location) implements Expression {
    }

    /** A reference to an earlier key ({@code server.port}, {@code var.x}, bare {@code x}) or to {@code env.NAME}. */
    record Reference(String name, SourceLocation location) implements Expression {
    }

    /** {@code ( a, "k" => v, … )}; {@code key} is null for elements without {@code =>}. */
    record ArrayLiteral(List<Element> elements, SourceLocation location) implements Expression {

        public ArrayLiteral {
            elements = List.copyOf(elements);
        }
    }

    /** One element of an array literal. */
    record Element(Expression key, Expression value) {
    }

    /** {@code a + b + …}. */
    record Concatenation(List<Expression> operands) implements Expression {

        public Concatenation {
            operands = List.copyOf(operands);
        }

        @Override
        public SourceLocation location() {
            return operands.get(0).location();
        }
    }
}
