package io.gatehouse.core.internal.gateway;

import java.nio.file.Path;
import java.time.Duration;

import io.gatehouse.conf.BackendConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WriteTimeoutTest {

    @Test
    void withoutAWriteTimeoutABackendMayTakeNoByteOfTheRequestForAMinute() {
        BackendConfig lighttpdDefault = BackendConfig.unix(Path.of("/run/x.sock")).build();
        assertEquals(Duration.ZERO, lighttpdDefault.writeTimeout());
        assertEquals(Duration.ofSeconds(60), GatewayHandler.writeTimeout(lighttpdDefault));
    }

    @Test
    void aConfiguredWriteTimeoutIsKept() {
        BackendConfig configured = BackendConfig.unix(Path.of("/run/x.sock")).writeTimeout(Duration.ofSeconds(3)).build();
        assertEquals(Duration.ofSeconds(3), GatewayHandler.writeTimeout(configured));
    }
}
