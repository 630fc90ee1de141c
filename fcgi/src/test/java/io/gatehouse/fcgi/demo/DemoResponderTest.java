package io.gatehouse.fcgi.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.gatehouse.fcgi.FcgiException;
import io.gatehouse.fcgi.FcgiRequestGenerator;
import io.gatehouse.fcgi.FcgiResponseParser;
import io.gatehouse.fcgi.ProtocolStatus;

/** The demo backend as the real child process gatehouse starts. */
@Timeout(60)
class DemoResponderTest {

    private static final Pattern STARTUP = Pattern.compile("gatehouse demo responder pid (\\d+) listening on (\\S+)");

    private Path directory;
    private Path socketFile;
    private final List<Child> children = new ArrayList<>();

    @BeforeEach
    void createSocketDirectory() throws IOException {
        directory = Files.createTempDirectory(Path.of("/tmp"), "ghd");
        socketFile = directory.resolve("demo.sock");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Child child : children) {
            child.kill();
        }
        Files.deleteIfExists(socketFile);
        Files.deleteIfExists(directory);
    }

    @Test
    void servesThePageOverAUnixSocketAndExitsWhenStdinCloses() throws Exception {
        Child child = start("--listen", "unix:" + socketFile, "--exit-on-stdin-eof");
        Matcher startup = child.awaitStartup();
        assertEquals(child.process.pid(), Long.parseLong(startup.group(1)));
        assertEquals("unix:" + socketFile, startup.group(2));

        Map<String, String> params = new LinkedHashMap<>();
        params.put("REQUEST_METHOD", "POST");
        params.put("REQUEST_URI", "/demo?x=<1>");
        params.put("HTTP_X_NAME", "caf\u00c3\u00a9");
        Page page = request(UnixDomainSocketAddress.of(socketFile), params, "hello body");

        assertTrue(page.text.startsWith("Content-Type: text/html; charset=utf-8\r\nContent-Length: "), page.text);
        assertTrue(page.text.contains(DemoPage.HEADLINE), page.text);
        assertTrue(page.text.contains("Responder pid: <b>" + child.process.pid() + "</b>"), page.text);
        assertTrue(page.text.contains("<code>POST /demo?x=&lt;1&gt;</code>"), page.text);
        assertTrue(page.text.contains("Request body length: 10 bytes"), page.text);
        assertTrue(page.text.contains("<tr><td>HTTP_X_NAME</td><td>caf\u00e9</td></tr>"), page.text);
        assertEquals(0, page.appStatus);

        child.process.getOutputStream().close();
        assertTrue(child.process.waitFor(20, TimeUnit.SECONDS), "the demo must exit at end of stdin");
        assertEquals(0, child.process.exitValue());
        assertFalse(Files.exists(socketFile), "the demo removes the socket file it bound");
    }

    @Test
    void servesOverTcpAndExitsZeroOnSigterm() throws Exception {
        Child child = start("--listen", "127.0.0.1:0");
        Matcher startup = child.awaitStartup();
        String[] hostPort = startup.group(2).split(":");
        assertEquals("127.0.0.1", hostPort[0]);
        Page page = request(new InetSocketAddress("127.0.0.1", Integer.parseInt(hostPort[1])),
                Map.of("REQUEST_METHOD", "GET", "REQUEST_URI", "/"), "");
        assertTrue(page.text.contains("Request body length: 0 bytes"), page.text);

        child.process.destroy();
        assertTrue(child.process.waitFor(20, TimeUnit.SECONDS), "SIGTERM must stop the demo");
        assertEquals(0, child.process.exitValue(), "SIGTERM is a clean stop");
    }

    @Test
    void withoutASocketOnFd0ItExitsTwoAndSaysWhy() throws Exception {
        Child child = start();
        assertTrue(child.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, child.process.exitValue());
        assertTrue(child.stderr().contains("fd 0 is not a listening socket"), child.stderr());
    }

    @Test
    void badArgumentsExitTwoWithUsage() throws Exception {
        Child unknown = start("--bogus");
        assertTrue(unknown.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, unknown.process.exitValue());
        assertTrue(unknown.stderr().contains("unknown argument \"--bogus\""), unknown.stderr());
        assertTrue(unknown.stderr().contains("usage: DemoResponder"), unknown.stderr());

        Child eofWithoutListen = start("--exit-on-stdin-eof");
        assertTrue(eofWithoutListen.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, eofWithoutListen.process.exitValue());
        assertTrue(eofWithoutListen.stderr().contains("--exit-on-stdin-eof needs --listen"), eofWithoutListen.stderr());
    }

    private record Page(String text, long appStatus) {
    }

    private static Page request(SocketAddress address, Map<String, String> params, String body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(address)) {
            byte[] bodyBytes = body.getBytes(StandardCharsets.ISO_8859_1);
            write(channel, FcgiRequestGenerator.beginRequest(1, false, params));
            if (bodyBytes.length > 0) {
                ByteBuffer header = ByteBuffer.allocate(8);
                FcgiRequestGenerator.stdinHeader(header, 1, bodyBytes.length);
                write(channel, header.flip());
                write(channel, ByteBuffer.wrap(bodyBytes));
            }
            write(channel, FcgiRequestGenerator.endOfStdin(1));

            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            long[] appStatus = {-1};
            FcgiResponseParser parser = new FcgiResponseParser(1, new FcgiResponseParser.Listener() {
                @Override
                public void onStdout(ByteBuffer content) {
                    byte[] bytes = new byte[content.remaining()];
                    content.get(bytes);
                    stdout.writeBytes(bytes);
                }

                @Override
                public void onEndRequest(long status, ProtocolStatus protocolStatus) {
                    appStatus[0] = status;
                }
            });
            readUntilComplete(channel, parser);
            return new Page(stdout.toString(StandardCharsets.UTF_8), appStatus[0]);
        }
    }

    private static void readUntilComplete(SocketChannel channel, FcgiResponseParser parser) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        while (true) {
            in.clear();
            if (channel.read(in) < 0) {
                throw new FcgiException("the demo closed the connection before END_REQUEST");
            }
            if (parser.parse(in.flip())) {
                return;
            }
        }
    }

    private static void write(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private Child start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                DemoResponder.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Child child = new Child(process);
        children.add(child);
        return child;
    }

    /** A demo process and a thread collecting its stderr. */
    private static final class Child {
        final Process process;
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private final Thread reader;

        Child(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (InputStream in = process.getErrorStream()) {
                    byte[] buffer = new byte[1024];
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        synchronized (stderr) {
                            stderr.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "demo-stderr-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        String stderr() throws InterruptedException {
            if (!process.isAlive()) {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            }
            synchronized (stderr) {
                return stderr.toString(StandardCharsets.UTF_8);
            }
        }

        Matcher awaitStartup() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Matcher matcher = STARTUP.matcher(stderr());
                if (matcher.find()) {
                    return matcher;
                }
                if (!process.isAlive()) {
                    fail("the demo exited with " + process.exitValue() + " before listening: " + stderr());
                }
                Thread.sleep(20);
            }
            fail("no startup line within 30 s: " + stderr());
            return null;
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
