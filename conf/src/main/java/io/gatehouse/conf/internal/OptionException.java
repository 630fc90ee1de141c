package io.gatehouse.conf.internal;

/**
 * A builder rejected the value of one named option. The config mapper turns it into a
 * {@link io.gatehouse.conf.ConfigException} at that option's position; API users see an
 * {@link IllegalArgumentException} with the same message.
 *
 * <p>Immutable; thread-safe.
 */
public final class OptionException extends IllegalArgumentException {

    private final String option;

    /**
     * @param option the config name of the offending option ({@code "max-procs"}), or null when the
     *     problem is the combination of options as a whole
     */
    public OptionException(String option, String message) {
        super(message);
        this.option = option;
    }

    /** The config name of the offending option, or null for the backend as a whole. */
    public String option() {
        return option;
    }
}
