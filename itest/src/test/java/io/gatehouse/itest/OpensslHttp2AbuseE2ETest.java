package io.gatehouse.itest;

import java.util.List;

/**
 * Every test of {@link Http2AbuseE2ETest} again with {@code -Dgatehouse.tls-engine=openssl}: BoringSSL must
 * serve as JSSE does (HTTP/2 over TLS and its abuse guards (rapid reset, CONTINUATION and SETTINGS floods)).
 */
class OpensslHttp2AbuseE2ETest extends Http2AbuseE2ETest {

    @Override
    List<String> engineOptions() {
        return OpensslEngine.JVM_OPTIONS;
    }
}
