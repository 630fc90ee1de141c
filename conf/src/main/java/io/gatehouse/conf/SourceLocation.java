package io.gatehouse.conf;

import java.util.Objects;

/**
 * A position in a config source: the file (or the command of an {@code include_shell}), a 1-based
 * line and a 1-based column counted in characters. Values built through the Java API carry
 * {@link #API}.
 *
 * <p>Immutable; thread-safe.
 */
public record SourceLocation(String file, int line, int column) {

    /** The location of values that came from the builders rather than a config file. */
    public static final SourceLocation API = new SourceLocation("<api>", 0, 0);

    public SourceLocation {
        Objects.requireNonNull(file, "file");
    }

    /** {@code file:line:col}, the form editors and compilers use. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
