package io.gatehouse.itest;

import java.util.List;

/**
 * Every test of {@link TlsReloadUnderLoadTest} again with {@code -Dgatehouse.tls-engine=openssl}: BoringSSL must
 * serve as JSSE does (certificates swapped by SIGUSR1 under h2load, 0 failed requests).
 */
class OpensslTlsReloadUnderLoadTest extends TlsReloadUnderLoadTest {

    @Override
    List<String> engineOptions() {
        return OpensslEngine.JVM_OPTIONS;
    }
}
