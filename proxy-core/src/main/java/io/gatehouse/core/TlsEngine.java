package io.gatehouse.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The TLS implementation that serves HTTPS connections ({@link EngineOptions#tlsEngine()},
 * {@code -Dgatehouse.tls-engine=NAME} on the command line).
 *
 * <p>Immutable.
 */
public enum TlsEngine {

    /** The JDK's own TLS (JSSE): the default, pure Java, on every platform. */
    JSSE,

    /**
     * BoringSSL through netty-tcnative: a fraction of JSSE's CPU per handshake and per byte, on
     * Linux x86-64 only (where its native library is bundled). Starting with it elsewhere fails.
     */
    OPENSSL;

    /** The name the command line and the documentation use: {@code jsse}, {@code openssl}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the values there are, for any other name */
    public static TlsEngine of(String name) {
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (TlsEngine engine : values()) {
            if (engine.optionName().equals(wanted)) {
                return engine;
            }
        }
        throw new IllegalArgumentException("\"" + name + "\" is not a TLS engine (one of "
                + Arrays.stream(values()).map(TlsEngine::optionName).collect(Collectors.joining(", ")) + ")");
    }
}
