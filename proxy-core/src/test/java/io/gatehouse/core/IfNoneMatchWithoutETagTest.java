package io.gatehouse.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.gatehouse.conf.Scope;
import io.gatehouse.conf.ServerConfig;
import io.gatehouse.conf.StaticFileOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code static-file.etags = "disable"} a static file has no ETag, and lighttpd 1.4.69 then
 * ignores {@code If-None-Match} (measured: {@code *} gives 200, {@code "x"} with a matching
 * If-Modified-Since gives 304). gatehouse answered {@code *} with 304 and let a non-matching tag
 * hide If-Modified-Since.
 */
class IfNoneMatchWithoutETagTest {

    @TempDir
    Path docroot;

    @Test
    void withoutAnETagIfNoneMatchIsIgnoredAndIfModifiedSinceDecides() throws Exception {
        Files.writeString(docroot.resolve("a.txt"), "hi\n");
        StaticFileOptions noETags = StaticFileOptions.builder().etags(false)
                .mimeTypes(List.of(Map.entry(".txt", "text/plain"))).build();
        Scope global = Scope.builder().documentRoot(docroot).staticFiles(noETags).build();
        try (ProxyFixture proxy = ProxyFixture.start(ServerConfig.builder().global(global))) {
            String plain = get(proxy, "");
            assertTrue(plain.startsWith("HTTP/1.1 200"), plain);
            String lastModified = plain.lines().filter(l -> l.startsWith("Last-Modified: ")).findFirst()
                    .orElseThrow().substring("Last-Modified: ".length());

            String star = get(proxy, "If-None-Match: *\r\n");
            assertTrue(star.startsWith("HTTP/1.1 200"), star);
            String tagAndDate = get(proxy, "If-None-Match: \"x\"\r\nIf-Modified-Since: " + lastModified + "\r\n");
            assertTrue(tagAndDate.startsWith("HTTP/1.1 304"), tagAndDate);
        }
    }

    private static String get(ProxyFixture proxy, String headers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", proxy.port), 2000);
            socket.setSoTimeout(10_000);
            String request = "GET /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + headers + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
