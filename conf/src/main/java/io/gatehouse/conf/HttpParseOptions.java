package io.gatehouse.conf;

import java.util.EnumSet;
import java.util.Set;

/**
 * The {@link HttpParseOption}s in force: lighttpd's defaults, changed by
 * {@code server.http-parseopts} (and its older single-key spellings).
 *
 * <p>Immutable; thread-safe.
 */
public final class HttpParseOptions {

    /** lighttpd's defaults. */
    public static final HttpParseOptions DEFAULTS = new HttpParseOptions(defaultSet());

    private final Set<HttpParseOption> enabled;

    private HttpParseOptions(EnumSet<HttpParseOption> enabled) {
        this.enabled = enabled;
    }

    private static EnumSet<HttpParseOption> defaultSet() {
        EnumSet<HttpParseOption> set = EnumSet.noneOf(HttpParseOption.class);
        for (HttpParseOption option : HttpParseOption.values()) {
            if (option.enabledByDefault()) {
                set.add(option);
            }
        }
        return set;
    }

    public boolean enabled(HttpParseOption option) {
        return enabled.contains(option);
    }

    /** A copy with {@code option} switched on or off. */
    public HttpParseOptions with(HttpParseOption option, boolean on) {
        EnumSet<HttpParseOption> set = enabled.isEmpty() ? EnumSet.noneOf(HttpParseOption.class) : EnumSet.copyOf(enabled);
        if (on) {
            set.add(option);
        } else {
            set.remove(option);
        }
        return new HttpParseOptions(set);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HttpParseOptions o && o.enabled.equals(enabled);
    }

    @Override
    public int hashCode() {
        return enabled.hashCode();
    }

    @Override
    public String toString() {
        return "HttpParseOptions" + enabled;
    }
}
