package io.gatehouse.spawn;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.gatehouse.fcgi.demo.DemoPage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backends other than php-cgi, each spawned as a real bin-path child on its inherited fd 0. */
class ForeignBackendsSpawnTest extends SpawnTestSupport {

    /** A JVM child needs a while to start serving; its connection waits in the socket's backlog. */
    private static final Duration JVM_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void fcgiwrapRunsAShellCgiScript() throws Exception {
        Path fcgiwrap = requireBinary("/usr/sbin/fcgiwrap", "fcgiwrap");
        Path cgi = script("hello.cgi", "printf 'Content-Type: text/plain\\r\\n\\r\\n'\necho \"cgi says $QUERY_STRING\"");
        SpawnedBackend backend = start(SpawnSpec.builder("cgi", List.of(fcgiwrap.toString()))
                .socket(dir.resolve("wrap.sock")).procs(1).build());
        Map<String, String> params = new LinkedHashMap<>();
        params.put("GATEWAY_INTERFACE", "CGI/1.1");
        params.put("REQUEST_METHOD", "GET");
        params.put("SCRIPT_FILENAME", cgi.toString());
        params.put("SCRIPT_NAME", "/hello.cgi");
        params.put("QUERY_STRING", "hi-there");
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        String answer = TestClients.fcgi(backend.addresses().get(0), params, new byte[0], Duration.ofSeconds(10));
        assertTrue(answer.contains("cgi says hi-there"), answer);
    }

    @Test
    void javaFastCgiResponderServesTheInheritedSocket() throws Exception {
        SpawnedBackend backend = start(SpawnSpec.builder("demo", javaMain("io.gatehouse.fcgi.demo.DemoResponder"))
                .socket(dir.resolve("demo.sock")).procs(1).stderrFile(dir.resolve("demo.err")).build());
        Map<String, String> params = new LinkedHashMap<>();
        params.put("REQUEST_METHOD", "POST");
        params.put("REQUEST_URI", "/demo");
        params.put("CONTENT_LENGTH", "5");
        String answer = TestClients.fcgi(backend.addresses().get(0), params,
                "hello".getBytes(StandardCharsets.ISO_8859_1), JVM_REQUEST_TIMEOUT);
        String page = new String(answer.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        assertTrue(page.contains(DemoPage.HEADLINE), page);
        assertTrue(page.contains("Responder pid: <b>" + backend.status().get(0).pid() + "</b>"), page);
        assertTrue(page.contains("Request body length: 5 bytes"), page);
    }

    @Test
    void javaScgiResponderServesTheInheritedTcpSocket() throws Exception {
        int port = SocketPathTest.freePortPair();
        SpawnedBackend backend = start(SpawnSpec.builder("scgi", javaMain("io.gatehouse.scgi.responder.ScgiDemo"))
                .tcp(new InetSocketAddress("127.0.0.1", port)).procs(2).build());
        for (int n = 0; n < 2; n++) {
            assertEquals(new InetSocketAddress("127.0.0.1", port + n), backend.addresses().get(n));
            String answer = TestClients.scgi(backend.addresses().get(n), Map.of("REQUEST_METHOD", "POST",
                    "REQUEST_URI", "/s" + n), "abc".getBytes(StandardCharsets.ISO_8859_1), JVM_REQUEST_TIMEOUT);
            assertTrue(answer.startsWith("Status: 200 OK\r\n"), answer);
            assertTrue(answer.contains("body length: 3") && answer.contains("REQUEST_URI=/s" + n), answer);
        }
    }

    /** argv of a JVM running {@code mainClass} from this test's classpath. */
    static List<String> javaMain(String mainClass) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classPath = System.getProperty("java.class.path");
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty() && !Files.exists(Path.of(entry))) {
                throw new IOException("class path entry " + entry + " does not exist");
            }
        }
        return List.of(java.toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", classPath, mainClass);
    }
}
