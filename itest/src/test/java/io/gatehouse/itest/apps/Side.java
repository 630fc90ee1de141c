package io.gatehouse.itest.apps;

import java.util.Locale;

/** The two front ends an application runs behind, side by side, on the same config file. Immutable. */
enum Side {
    /** lighttpd 1.4.69, the reference: where gatehouse is compatible, its answers are the spec. */
    LIGHTTPD,
    /** The built gatehouse jar. */
    GATEHOUSE;

    /** The name of this side's directory (site, clone) in a test's temp directory. */
    String dirName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
