package io.gatehouse.conf;

import java.util.Objects;

/**
 * A config that cannot be used: a syntax error, an evaluation error (unknown variable, include
 * cycle, failed {@code include_shell}) or a value that fails validation. The message always starts
 * with the {@code file:line:col} of the offending token or value.
 *
 * <p>Immutable once thrown; thread-safe.
 */
public final class ConfigException extends Exception {

    private final SourceLocation location;
    private final String problem;

    /**
     * @param location where the problem is
     * @param problem what was found and, for syntax errors, what was expected
     */
    public ConfigException(SourceLocation location, String problem) {
        super(Objects.requireNonNull(location, "location") + ": " + Objects.requireNonNull(problem, "problem"));
        this.location = location;
        this.problem = problem;
    }

    /** Like {@link #ConfigException(SourceLocation, String)}, keeping the underlying cause. */
    public ConfigException(SourceLocation location, String problem, Throwable cause) {
        this(location, problem);
        initCause(cause);
    }

    /** Where the problem is. */
    public SourceLocation location() {
        return location;
    }

    /** The message without the leading location. */
    public String problem() {
        return problem;
    }
}
