package io.gatehouse.conf.internal;

import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;

import io.gatehouse.conf.TlsSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The suite table against the JDK that runs it: every name it builds must be one the JDK knows. */
class CipherSuiteTableTest {

    @Test
    void everyJsseNameIsSupportedByTheJdk() throws NoSuchAlgorithmException {
        Set<String> supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        for (CipherSuiteTable.Suite suite : CipherSuiteTable.TLS12) {
            assertTrue(supported.contains(suite.jsse()), suite.openSsl() + " -> " + suite.jsse());
        }
        assertTrue(supported.containsAll(CipherSuiteTable.TLS13));
        assertTrue(supported.containsAll(TlsSettings.DEFAULT_CIPHER_SUITES));
    }

    @Test
    void negotiatedSuitesGetOpenSslNames() {
        assertEquals("ECDHE-RSA-AES128-GCM-SHA256", CipherSuiteTable.openSslName("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assertEquals("AES256-SHA", CipherSuiteTable.openSslName("TLS_RSA_WITH_AES_256_CBC_SHA"));
        assertEquals("DHE-RSA-CHACHA20-POLY1305",
                CipherSuiteTable.openSslName("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));
        assertEquals("TLS_AES_128_GCM_SHA256", CipherSuiteTable.openSslName("TLS_AES_128_GCM_SHA256"));
    }

    @Test
    void cipherStringOperators() {
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
                OpenSslCipherString.evaluate("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA:+AESGCM").jsseNames());
        assertEquals(List.of(), OpenSslCipherString.evaluate("!ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-SHA").jsseNames());
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
                OpenSslCipherString.evaluate("ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:@STRENGTH").jsseNames());
        assertEquals(List.of("RC5-MD5"), OpenSslCipherString.evaluate("HIGH:!RC4:RC5-MD5").unknown());
    }
}
