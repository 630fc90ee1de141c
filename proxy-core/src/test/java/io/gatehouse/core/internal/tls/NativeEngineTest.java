package io.gatehouse.core.internal.tls;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import io.gatehouse.conf.Guard;
import io.gatehouse.conf.RequestFacts;
import io.gatehouse.conf.SourceLocation;
import io.gatehouse.conf.TlsSettings;
import io.gatehouse.conf.TlsSettings.ClientVerification;
import io.gatehouse.conf.TlsSettings.HostCertificate;
import io.gatehouse.core.TlsEngine;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BoringSSL engines as Undertow drives them, in full TLS handshakes with the JDK's client engine
 * over buffers: ALPN as the listener offers it (and as Undertow narrows it), SNI, protocols, the
 * engine's native memory released on close, and the settings BoringSSL cannot honour.
 */
class NativeEngineTest {

    private static final SourceLocation LISTENER = new SourceLocation("site.conf", 6, 3);

    /** {@code $HTTP["host"] == "host.example"}. */
    private static final Guard HOST_EXAMPLE = new Guard() {
        @Override
        public boolean test(RequestFacts facts) {
            return "host.example".equals(facts.host());
        }

        @Override
        public String describe() {
            return "$HTTP[\"host\"] == \"host.example\"";
        }
    };

    @TempDir
    Path dir;
    private Path cert;
    private Path key;

    @BeforeEach
    void files() throws Exception {
        OpenSslFiles files = new OpenSslFiles(dir);
        key = files.ecKey("main.key");
        cert = files.selfSigned(key, "/CN=main.example", 30, "main.crt");
    }

    private ServerTlsContext load(TlsSettings settings) throws TlsFileException {
        return ServerTlsContext.load(settings, Instant.now(), TlsEngine.OPENSSL);
    }

    private TlsSettings settings(List<String> protocols, List<String> suites) {
        return new TlsSettings(cert, Optional.of(key), Optional.empty(), ClientVerification.NONE, protocols, suites,
                true, LISTENER, LISTENER, List.of());
    }

    @Test
    void http2ListenersNegotiateH2AndOthersNoProtocol() throws Exception {
        ServerTlsContext tls = load(TlsSettings.of(cert, Optional.of(key)));
        SSLEngine server = tls.http2SslContext().createSSLEngine();
        SSLEngine client = client(null, "h2", "http/1.1");
        handshake(client, server);
        assertEquals("h2", server.getApplicationProtocol());
        assertEquals("h2", client.getApplicationProtocol());

        SSLEngine plain = tls.sslContext().createSSLEngine();
        SSLEngine offering = client(null, "h2", "http/1.1");
        handshake(offering, plain);
        assertEquals("", offering.getApplicationProtocol(), "no ALPN without HTTP/2, as with JSSE");
    }

    @Test
    void alpnNarrowedBeforeTheFirstByteIsWhatTheHandshakeNegotiates() throws Exception {
        SSLEngine server = load(TlsSettings.of(cert, Optional.of(key))).http2SslContext().createSSLEngine();
        SSLParameters parameters = server.getSSLParameters();
        assertEquals(List.of("h2", "http/1.1"), List.of(parameters.getApplicationProtocols()));
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        server.setSSLParameters(parameters);
        SSLEngine client = client(null, "h2", "http/1.1");
        handshake(client, server);
        assertEquals("http/1.1", client.getApplicationProtocol());
    }

    @Test
    void sniChoosesTheHostCertificateAndNoNameTheListenersOwn() throws Exception {
        OpenSslFiles files = new OpenSslFiles(dir);
        Path hostKey = files.rsaKey("host.key");
        Path hostCert = files.selfSigned(hostKey, "/CN=host.example", 30, "host.crt");
        TlsSettings settings = TlsSettings.of(cert, Optional.of(key)).withHostCertificates(
                List.of(new HostCertificate(HOST_EXAMPLE, hostCert, Optional.of(hostKey), LISTENER)));
        ServerTlsContext tls = load(settings);
        assertEquals("CN=host.example", servedSubject(tls, "host.example"));
        assertEquals("CN=main.example", servedSubject(tls, "other.example"));
        assertEquals("CN=main.example", servedSubject(tls, null));
    }

    private static String servedSubject(ServerTlsContext tls, String serverName) throws Exception {
        SSLEngine client = client(serverName);
        handshake(client, tls.sslContext().createSSLEngine());
        return ((X509Certificate) client.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    @Test
    void theListenersProtocolsAndCipherOrderHold() throws Exception {
        ServerTlsContext tls = load(settings(List.of("TLSv1.2"), List.of(
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")));
        SSLEngine client = client(null);
        SSLEngine server = tls.sslContext().createSSLEngine();
        handshake(client, server);
        assertEquals("TLSv1.2", server.getSession().getProtocol());
        assertEquals("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", server.getSession().getCipherSuite(),
                "the server's order wins, as ssl.honor-cipher-order says");
    }

    @Test
    void closingBothDirectionsReleasesTheNativeEngineHandshakenOrNot() throws Exception {
        ServerTlsContext tls = load(TlsSettings.of(cert, Optional.of(key)));
        NativeEngine served = (NativeEngine) tls.http2SslContext().createSSLEngine();
        handshake(client(null, "h2"), served);
        served.closeOutbound();
        assertFalse(served.isReleased(), "the inbound side is still open");
        closeInbound(served);
        assertTrue(served.isReleased());

        NativeEngine untouched = (NativeEngine) tls.sslContext().createSSLEngine();
        closeInbound(untouched);
        untouched.closeOutbound();
        assertTrue(untouched.isReleased());
        untouched.closeOutbound(); // a second close releases nothing twice
    }

    private static void closeInbound(SSLEngine engine) {
        try {
            engine.closeInbound();
        } catch (SSLException e) {
            // no close_notify came: truncation is reported, the engine closed all the same
        }
    }

    @Test
    void cipherSuitesBoringSslLacksFailNamingTheListener() {
        String message = assertThrows(TlsFileException.class, () -> load(settings(List.of("TLSv1.2"),
                List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"))))
                .getMessage();
        assertTrue(message.startsWith("site.conf:6:3: tls-engine = openssl cannot honour the cipher suites"), message);
        assertTrue(message.contains("BoringSSL has no TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"), message);
    }

    @Test
    void aSubsetOfTls13SuitesFailsAndMaxProtocolTls12LiftsIt() throws Exception {
        List<String> suites = List.of("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        String message = assertThrows(TlsFileException.class,
                () -> load(settings(List.of("TLSv1.2", "TLSv1.3"), suites))).getMessage();
        assertTrue(message.startsWith("site.conf:6:3: tls-engine = openssl cannot honour the TLS 1.3 cipher suites"),
                message);
        load(settings(List.of("TLSv1.2"), suites));
    }

    /** The JDK's client engine, trusting any certificate, asking for {@code serverName} (null: none). */
    private static SSLEngine client(String serverName, String... alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        parameters.setApplicationProtocols(alpn);
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** Runs both engines until neither has handshake work left; fails past a bound of steps. */
    private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
        ByteBuffer toServer = ByteBuffer.allocateDirect(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocateDirect(1 << 17);
        ByteBuffer clientApp = ByteBuffer.allocate(1 << 17);
        ByteBuffer serverApp = ByteBuffer.allocate(1 << 17);
        client.beginHandshake();
        for (int step = 0; step < 200; step++) {
            boolean moved = step(client, toClient, toServer, clientApp) | step(server, toServer, toClient, serverApp);
            if (!moved && idle(client) && idle(server)) {
                return;
            }
        }
        throw new AssertionError("no handshake after 200 steps: client " + client.getHandshakeStatus()
                + ", server " + server.getHandshakeStatus());
    }

    private static boolean idle(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }

    /** One move of {@code engine}: reads what came in, writes what it must; whether it did anything. */
    private static boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws SSLException {
        boolean moved = false;
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
            moved = true;
        }
        in.flip();
        if (in.hasRemaining()) {
            int before = in.remaining();
            engine.unwrap(in, app);
            moved |= in.remaining() != before;
        }
        in.compact();
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        // netty's engine reports the end of a TLS 1.3 handshake on the next wrap, as Undertow's
        // conduit calls it when it has something to write: so does this loop, with nothing.
        if (engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            int before = out.position();
            engine.wrap(ByteBuffer.allocate(0), out);
            moved |= out.position() != before;
        }
        return moved;
    }
}
