package org.xnio.conduits;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.xnio.Version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link ConduitLayers} reads a protected field of XNIO's: this fails when XNIO is upgraded, so
 * whoever upgrades it checks that the field is still there and still means the layer below.
 */
class ConduitLayersTest {

    @Test
    void writtenAgainstXnio3816() {
        assertEquals("3.8.16.Final", Version.getVersionString());
    }

    @Test
    void givesTheConduitUnderALayer() {
        // Only its identity matters: no method of it is called.
        StreamSourceConduit bottom = (StreamSourceConduit) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {StreamSourceConduit.class}, (proxy, method, args) -> null);
        AbstractStreamSourceConduit<StreamSourceConduit> layer = new AbstractStreamSourceConduit<>(bottom) { };
        assertSame(bottom, ConduitLayers.below(layer));
    }
}
