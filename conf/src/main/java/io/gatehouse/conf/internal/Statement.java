package io.gatehouse.conf.internal;

import java.util.List;

import io.gatehouse.conf.SourceLocation;

/**
 * One statement of a config file, as parsed and not yet evaluated.
 *
 * <p>All implementations are immutable records; thread-safe.
 */
public sealed interface Statement {

    /** Where the statement starts. */
    SourceLocation location();

    /** The three assignment operators. */
    enum AssignOperator {
        /** {@code =}: set; an error if the same block already set the key. */
        SET,
        /** {@code :=}: set, replacing any value. */
        REPLACE,
        /** {@code +=}: merge with the value in force (this block or an enclosing one), or set. */
        APPEND
    }

    /** {@code key = value}, {@code key := value}, {@code key += value}. */
    record Assignment(String key, AssignOperator operator, Expression value, SourceLocation location)
            implements Statement {
    }

    /** {@code include "path-or-glob"}. */
    record Include(Expression path, SourceLocation location) implements Statement {
    }

    /** {@code include_shell "command"}. */
    record IncludeShell(Expression command, SourceLocation location) implements Statement {
    }

    /** {@code global { … }}: statements that go to the top-level scope wherever they appear. */
    record Global(List<Statement> body, SourceLocation location) implements Statement {

        public Global {
            body = List.copyOf(body);
        }
    }

    /** A chain {@code cond { } else cond { } else { }}; only the last branch may lack a condition. */
    record ConditionChain(List<Branch> branches) implements Statement {

        public ConditionChain {
            branches = List.copyOf(branches);
        }

        @Override
        public SourceLocation location() {
            return branches.get(0).location();
        }
    }

    /** One branch of a chain; {@code condition} is null for a plain {@code else}. */
    record Branch(ConditionSpec condition, List<Statement> body, SourceLocation location) {

        public Branch {
            body = List.copyOf(body);
        }
    }

    /**
     * {@code $HTTP["host"] == "pattern"} as written: the variable ({@code HTTP}), the field in brackets,
     * the operator and the right-hand side.
     */
    record ConditionSpec(String variable, String field, SourceLocation fieldLocation, TokenKind operator,
            SourceLocation operatorLocation, Expression pattern, SourceLocation location) {
    }
}
