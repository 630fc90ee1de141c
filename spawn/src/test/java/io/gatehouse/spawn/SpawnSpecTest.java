package io.gatehouse.spawn;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SpawnSpec limits and lighttpd's bin-path splitting. */
class SpawnSpecTest {

    private static SpawnSpec.Builder valid() {
        return SpawnSpec.builder("php", List.of("/usr/bin/php-cgi")).socket(Path.of("/tmp/p.sock"));
    }

    @Test
    void binPathSplitsOnSpacesAndTabsWithoutQuoting() {
        assertEquals(List.of("/usr/bin/php-cgi", "-c", "\"/etc/my", "php.ini\""),
                SpawnSpec.splitBinPath("  /usr/bin/php-cgi \t-c  \"/etc/my php.ini\" "));
        assertEquals(List.of(), SpawnSpec.splitBinPath(" \t "));
    }

    @Test
    void defaultsAreLighttpds() {
        SpawnSpec spec = valid().build();
        assertEquals(4, spec.procs());
        assertEquals(1024, spec.backlog());
        assertEquals(15, spec.killSignal());
        assertEquals(Duration.ofSeconds(5), spec.killTimeout());
        assertEquals(Map.of(), spec.environment());
        assertTrue(spec.stderrFile().isEmpty() && spec.tcp().isEmpty());
    }

    @Test
    void everyLimitFailsNamingFieldValueAndLimit() {
        expect("procs 0 is outside 1..256", () -> valid().procs(0).build());
        expect("procs 257 is outside 1..256", () -> valid().procs(257).build());
        expect("backlog 0 is outside 1..65535", () -> valid().backlog(0).build());
        expect("killSignal 65 is outside 1..64", () -> valid().killSignal(65).build());
        expect("killTimeout PT0S is outside (0, PT1H]", () -> valid().killTimeout(Duration.ZERO).build());
        expect("label \"" + "x".repeat(129) + "\" must be 1..128",
                () -> SpawnSpec.builder("x".repeat(129), List.of("/bin/true")).socket(Path.of("/tmp/s")).build());
        expect("needs exactly one of socket and tcp, got both",
                () -> valid().tcp(new InetSocketAddress("127.0.0.1", 9000)).build());
        expect("needs exactly one of socket and tcp, got neither",
                () -> SpawnSpec.builder("php", List.of("/usr/bin/php-cgi")).build());
        expect("tcp port 65535 with 2 procs needs ports up to 65536, the limit is 1..65535",
                () -> SpawnSpec.builder("t", List.of("/bin/true")).tcp(new InetSocketAddress("127.0.0.1", 65535))
                        .procs(2).build());
        expect("argv of backend \"php\" is empty", () -> SpawnSpec.builder("php", List.of()).socket(Path.of("/s")).build());
        expect("environment variable name \"A=B\" must be non-empty without '=' or NUL",
                () -> valid().environment(Map.of("A=B", "1")).build());
        expect("copyEnvironment variable name \"\" must be non-empty",
                () -> valid().copyEnvironment(List.of("")).build());
        expect("argv \"a\\0b\" contains NUL", () -> SpawnSpec.builder("php", List.of("/bin/x", "a\0b"))
                .socket(Path.of("/s")).build());
    }

    private static void expect(String fragment, Supplier<SpawnSpec> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().contains(fragment), "\"" + e.getMessage() + "\" should contain \"" + fragment + "\"");
    }
}
