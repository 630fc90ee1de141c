package io.gatehouse.itest;

import java.util.List;

/**
 * Every test of {@link TlsE2ETest} again with {@code -Dgatehouse.tls-engine=openssl}: BoringSSL must
 * serve as JSSE does (curl over HTTP/1.1 and HTTP/2, nghttp, openssl s_client (protocols, ALPN, SNI, client certificates) and certificate swaps).
 */
class OpensslTlsE2ETest extends TlsE2ETest {

    @Override
    List<String> engineOptions() {
        return OpensslEngine.JVM_OPTIONS;
    }

    @Override
    boolean refusesWithAnAlert() {
        return false;
    }
}
