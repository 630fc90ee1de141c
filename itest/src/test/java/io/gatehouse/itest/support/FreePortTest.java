package io.gatehouse.itest.support;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(LeakCheck.class)
class FreePortTest {

    @Test
    void thePortCanBeBoundOnLoopback() throws Exception {
        int port = FreePort.get();
        assertTrue(port > 0 && port < 65_536, Integer.toString(port));
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertEquals(port, server.getLocalPort());
        }
    }
}
