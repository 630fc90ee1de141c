package io.gatehouse.core;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link GatewayTest} with every request on a gateway thread ({@code gatehouse.gateway=blocking}):
 * body-less requests normally take the I/O-thread path, so without this the blocking path would
 * be tested with bodies only.
 */
class BlockingGatewayTest extends GatewayTest {

    @BeforeAll
    static void everyRequestOnAGatewayThread() {
        System.setProperty("gatehouse.gateway", "blocking");
    }

    @AfterAll
    static void backToTheDefault() {
        System.clearProperty("gatehouse.gateway");
    }
}
