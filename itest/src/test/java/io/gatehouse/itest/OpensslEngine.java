package io.gatehouse.itest;

import java.util.List;

/** The JVM option that serves TLS with BoringSSL, as users pass it in GATEHOUSE_JAVA_OPTS. */
final class OpensslEngine {

    static final List<String> JVM_OPTIONS = List.of("-Dgatehouse.tls-engine=openssl");

    private OpensslEngine() {
    }
}
