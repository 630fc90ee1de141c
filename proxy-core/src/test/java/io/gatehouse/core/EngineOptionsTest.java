package io.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine options, and how the command line takes {@code -Dgatehouse.io-threads} and
 * {@code -Dgatehouse.tls-engine} into them.
 */
class EngineOptionsTest {

    @Test
    void theDefaultsAreHalfTheCoresAtLeastOneNamedGatehouse() {
        EngineOptions defaults = EngineOptions.defaults();
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), defaults.ioThreads());
        assertEquals("gatehouse", defaults.threadName());
        assertEquals(TlsEngine.JSSE, defaults.tlsEngine());
    }

    @Test
    void withersChangeOneOptionAndKeepTheOther() {
        EngineOptions options = EngineOptions.defaults().withIoThreads(7).withThreadName("site-a");
        assertEquals(new EngineOptions(7, "site-a"), options);
        assertEquals(new EngineOptions(3, "site-a"), options.withIoThreads(3));
    }

    @Test
    void fewerThanOneThreadOrABlankNameIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions(0, "gatehouse"));
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions(-1, "gatehouse"));
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions(1, " "));
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions(1, null));
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions(1, "gatehouse", Duration.ZERO, TlsEngine.JSSE, 0));
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions(1, "gatehouse", null, TlsEngine.JSSE, 0));
    }

    @Test
    void withoutThePropertyTheCommandLineUsesTheDefaults() {
        assertEquals(EngineOptions.defaults(), Main.engineOptions(null, null, null, null));
    }

    @Test
    void thePropertySetsTheNumberOfIoThreads() {
        assertEquals(EngineOptions.defaults().withIoThreads(3), Main.engineOptions("3", null, null, null));
        assertEquals(5, Main.engineOptions(" 5 ", null, null, null).ioThreads(), "surrounding blanks of a shell variable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "-2", "two", "1.5", "0x10", "99999999999", "3 threads"})
    void aValueThatIsNoNumberOfThreadsIsRefusedNamingTheProperty(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.engineOptions(value, null, null, null));
        assertTrue(e.getMessage().startsWith("-Dgatehouse.io-threads=" + value + " is not a number of I/O threads"),
                e.getMessage());
    }

    @Test
    void thePropertySetsHowOftenCertificateFilesAreLookedAt() {
        assertEquals(Duration.ofSeconds(2), Main.engineOptions(null, "2", null, null).certificateCheckInterval());
        assertEquals(EngineOptions.DEFAULT_CERTIFICATE_CHECK_INTERVAL, EngineOptions.defaults().certificateCheckInterval());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.engineOptions(null, "0", null, null));
        assertTrue(e.getMessage().startsWith("-Dgatehouse.certificate-check-seconds=0 is not a number of seconds"),
                e.getMessage());
    }

    @Test
    void thePropertyChoosesTheTlsEngineAndKeepsTheOtherOptions() {
        assertEquals(EngineOptions.defaults().withTlsEngine(TlsEngine.OPENSSL), Main.engineOptions(null, null, "openssl", null));
        assertEquals(TlsEngine.OPENSSL, Main.engineOptions("2", null, " OpenSSL ", null).tlsEngine(), "case and blanks");
        assertEquals(2, Main.engineOptions("2", "5", "openssl", null).ioThreads());
        assertEquals(TlsEngine.JSSE, Main.engineOptions(null, null, "jsse", null).tlsEngine());
        assertEquals(TlsEngine.JSSE, new EngineOptions(1, "x").tlsEngine(), "the two-option constructor");
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions(1, "x", Duration.ofMinutes(1), null, 0));
    }

    @Test
    void thePropertyBoundsWhatSpooledResponsesHoldTogether() {
        assertEquals(1024L * 1024 * 1024, EngineOptions.defaults().responseSpoolBytes());
        assertEquals(64L * 1024 * 1024, Main.engineOptions(null, null, null, "64").responseSpoolBytes());
        assertEquals(0, Main.engineOptions(null, null, null, " 0 ").responseSpoolBytes(), "0 spools nothing");
        for (String value : new String[] {"", "-1", "1.5", "1G", "99999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Main.engineOptions(null, null, null, value));
            assertTrue(e.getMessage().startsWith("-Dgatehouse.response-spool-mib=" + value
                    + " is not a number of MiB (a whole number, at least 0)"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> EngineOptions.defaults().withResponseSpoolBytes(-1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "boringssl", "open ssl", "conscrypt", "openssl\u0000"})
    void aValueThatNamesNoTlsEngineIsRefusedNamingThePropertyAndTheEngines(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.engineOptions(null, null, value, null));
        assertTrue(e.getMessage().startsWith("-Dgatehouse.tls-engine=" + value + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("is not a TLS engine (one of jsse, openssl)"), e.getMessage());
    }
}
