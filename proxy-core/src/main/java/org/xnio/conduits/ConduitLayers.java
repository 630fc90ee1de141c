package org.xnio.conduits;

/**
 * The layer under a conduit. XNIO keeps it in a protected field with no accessor; this class lives
 * in XNIO's package to read it, and only this class does. gatehouse uses it to read a chunked
 * request body itself, under Undertow's lenient chunk decoder (see
 * {@code io.gatehouse.core.internal.gateway.StrictChunkedSource}); {@code ConduitLayersTest} fails
 * should XNIO change the field.
 */
public final class ConduitLayers {

    private ConduitLayers() {
    }

    /** The conduit {@code conduit} reads from or writes to. */
    public static Conduit below(AbstractConduit<?> conduit) {
        return conduit.next;
    }
}
