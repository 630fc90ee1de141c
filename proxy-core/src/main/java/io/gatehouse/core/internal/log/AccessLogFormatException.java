package io.gatehouse.core.internal.log;

/**
 * An {@code accesslog.format} string that cannot be compiled. Carries the offending directive and
 * its 1-based column in the format string, so the config loader can point at it.
 *
 * <p>Immutable, so safe to share between threads.
 */
public final class AccessLogFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String directive;
    private final int column;

    AccessLogFormatException(String problem, String directive, int column) {
        super("accesslog.format: " + problem + ": \"" + directive + "\" at column " + column);
        this.directive = directive;
        this.column = column;
    }

    /** The directive as written, e.g. {@code %Z} or {@code %{x}Z}. */
    public String directive() {
        return directive;
    }

    /** 1-based column of the directive's {@code %} in the format string. */
    public int column() {
        return column;
    }
}
