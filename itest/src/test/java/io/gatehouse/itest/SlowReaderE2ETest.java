package io.gatehouse.itest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.HttpClients;
import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.PhpScripts;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.gatehouse.itest.support.ConfigFiles.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Clients that ask for a large PHP page and do not read it (the "slow read" attack): each held
 * its PHP worker, blocked writing into a socket gatehouse no longer read, until
 * {@code server.max-write-idle} (six minutes); as many such clients as workers stopped the site.
 * The response is spooled now, as lighttpd and nginx keep it, and the workers are free.
 */
@ExtendWith(LeakCheck.class)
class SlowReaderE2ETest {

    /** php-cgi's workers in {@link ConfigFiles#spawnedPhpCgi}. */
    private static final int PHP_WORKERS = 2;
    /** Far more than the socket buffers between PHP and a client that reads nothing hold. */
    private static final int PAGE_BYTES = 8 * 1024 * 1024;

    private Path dir;
    private int port;
    private GatehouseProcess gatehouse;

    @BeforeEach
    void start() {
        dir = TempDirs.create("gh-slowread");
        LeakCheck.expectGone(dir);
        port = FreePort.get();
        Path conf = ConfigFiles.append(ConfigFiles.spawnedPhpCgi(dir, port),
                "server.upload-dirs = ( " + quote(dir.toString()) + " )");
        gatehouse = GatehouseProcess.start(conf, port);
    }

    @AfterEach
    void stop() {
        try {
            gatehouse.close();
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    @Test
    void clientsThatReadNothingDoNotHoldThePhpWorkers() throws Exception {
        List<Socket> readers = new ArrayList<>();
        try {
            for (int i = 0; i < PHP_WORKERS + 1; i++) {
                readers.add(askWithoutReading("/download.php?bytes=" + PAGE_BYTES + "&cl=1"));
            }
            // Every worker was asked for the page: without spooling each would be stuck writing it.
            Thread.sleep(1000);
            HttpResponse<String> hello = HttpClients.get(port, "/hello.php");
            assertEquals(200, hello.statusCode(), hello.body());
            assertEquals(PhpScripts.HELLO_BODY, hello.body().strip());
            for (Socket reader : readers) {
                assertEquals(PAGE_BYTES, downloadedBody(reader.getInputStream()), "bytes of the page");
            }
        } finally {
            for (Socket reader : readers) {
                reader.close();
            }
        }
    }

    /** Sends a GET from a socket with a small receive buffer, and reads nothing. */
    private Socket askWithoutReading(String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return socket;
    }

    /** Reads a whole response with a Content-Length; checks each byte of the download pattern; returns the body's length. */
    private static long downloadedBody(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the connection ended inside the head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 200")) {
            throw new AssertionError(text);
        }
        byte[] buffer = new byte[64 * 1024];
        long at = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] != PhpScripts.downloadByte(at + i)) {
                    throw new AssertionError("byte " + (at + i) + " of the page is wrong");
                }
            }
            at += n;
        }
        return at;
    }
}
