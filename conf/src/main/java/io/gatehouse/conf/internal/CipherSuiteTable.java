package io.gatehouse.conf.internal;

import java.util.List;
import java.util.Optional;

/**
 * The TLS 1.2 cipher suites the JDK's provider implements that OpenSSL's {@code HIGH} list has,
 * with their OpenSSL names and the attributes OpenSSL's cipher-string keywords select by. Listed
 * in OpenSSL's default preference (forward secrecy, then AEAD, then key size), which a cipher
 * string adds them in.
 *
 * <p>Constant table; thread-safe.
 */
public final class CipherSuiteTable {

    /** Key exchange, authentication, bulk cipher and MAC as OpenSSL classifies a suite. */
    public record Suite(String openSsl, String jsse, String keyExchange, String authentication, String cipher,
            int bits, String mac) {
    }

    /** The TLS 1.3 suites the JDK implements; OpenSSL and JSSE name them alike. */
    public static final List<String> TLS13 = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256");

    public static final List<Suite> TLS12 = List.of(
            suite("ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE", "ECDSA", "AESGCM", 256, "AEAD"),
            suite("ECDHE-RSA-AES256-GCM-SHA384", "ECDHE", "RSA", "AESGCM", 256, "AEAD"),
            suite("ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE", "ECDSA", "CHACHA20", 256, "AEAD"),
            suite("ECDHE-RSA-CHACHA20-POLY1305", "ECDHE", "RSA", "CHACHA20", 256, "AEAD"),
            suite("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE", "ECDSA", "AESGCM", 128, "AEAD"),
            suite("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE", "RSA", "AESGCM", 128, "AEAD"),
            suite("DHE-RSA-AES256-GCM-SHA384", "DHE", "RSA", "AESGCM", 256, "AEAD"),
            suite("DHE-RSA-CHACHA20-POLY1305", "DHE", "RSA", "CHACHA20", 256, "AEAD"),
            suite("DHE-RSA-AES128-GCM-SHA256", "DHE", "RSA", "AESGCM", 128, "AEAD"),
            suite("ECDHE-ECDSA-AES256-SHA384", "ECDHE", "ECDSA", "AES", 256, "SHA384"),
            suite("ECDHE-RSA-AES256-SHA384", "ECDHE", "RSA", "AES", 256, "SHA384"),
            suite("DHE-RSA-AES256-SHA256", "DHE", "RSA", "AES", 256, "SHA256"),
            suite("ECDHE-ECDSA-AES128-SHA256", "ECDHE", "ECDSA", "AES", 128, "SHA256"),
            suite("ECDHE-RSA-AES128-SHA256", "ECDHE", "RSA", "AES", 128, "SHA256"),
            suite("DHE-RSA-AES128-SHA256", "DHE", "RSA", "AES", 128, "SHA256"),
            suite("ECDHE-ECDSA-AES256-SHA", "ECDHE", "ECDSA", "AES", 256, "SHA1"),
            suite("ECDHE-RSA-AES256-SHA", "ECDHE", "RSA", "AES", 256, "SHA1"),
            suite("DHE-RSA-AES256-SHA", "DHE", "RSA", "AES", 256, "SHA1"),
            suite("ECDHE-ECDSA-AES128-SHA", "ECDHE", "ECDSA", "AES", 128, "SHA1"),
            suite("ECDHE-RSA-AES128-SHA", "ECDHE", "RSA", "AES", 128, "SHA1"),
            suite("DHE-RSA-AES128-SHA", "DHE", "RSA", "AES", 128, "SHA1"),
            suite("AES256-GCM-SHA384", "RSA", "RSA", "AESGCM", 256, "AEAD"),
            suite("AES128-GCM-SHA256", "RSA", "RSA", "AESGCM", 128, "AEAD"),
            suite("AES256-SHA256", "RSA", "RSA", "AES", 256, "SHA256"),
            suite("AES128-SHA256", "RSA", "RSA", "AES", 128, "SHA256"),
            suite("AES256-SHA", "RSA", "RSA", "AES", 256, "SHA1"),
            suite("AES128-SHA", "RSA", "RSA", "AES", 128, "SHA1"));

    private CipherSuiteTable() {
    }

    /** The suite OpenSSL calls {@code openSslName}, if the JDK has it. */
    public static Optional<Suite> byOpenSslName(String openSslName) {
        return TLS12.stream().filter(s -> s.openSsl().equals(openSslName)).findFirst();
    }

    /** The suite JSSE calls {@code jsseName}, if it is one of the table's. */
    public static Optional<Suite> byJsseName(String jsseName) {
        return TLS12.stream().filter(s -> s.jsse().equals(jsseName)).findFirst();
    }

    /**
     * The OpenSSL name of a negotiated suite, as lighttpd exports it in {@code SSL_CIPHER}: TLS 1.3
     * suites keep their name; a suite outside the table keeps its JSSE name.
     */
    public static String openSslName(String jsseName) {
        return byJsseName(jsseName).map(Suite::openSsl).orElse(jsseName);
    }

    /**
     * Builds the JSSE name from the parts: {@code TLS_<kx>_<au>_WITH_<cipher>_<bits>_<mode>_<hash>}
     * (ECDHE-RSA-AES128-GCM-SHA256 is TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).
     */
    private static Suite suite(String openSsl, String kx, String au, String cipher, int bits, String mac) {
        String exchange = kx.equals("RSA") ? "RSA" : kx + "_" + au;
        String bulk = switch (cipher) {
            case "AESGCM" -> "AES_" + bits + "_GCM_" + (bits == 256 ? "SHA384" : "SHA256");
            case "CHACHA20" -> "CHACHA20_POLY1305_SHA256";
            default -> "AES_" + bits + "_CBC_" + (mac.equals("SHA1") ? "SHA" : mac);
        };
        return new Suite(openSsl, "TLS_" + exchange + "_WITH_" + bulk, kx, au, cipher, bits, mac);
    }
}
