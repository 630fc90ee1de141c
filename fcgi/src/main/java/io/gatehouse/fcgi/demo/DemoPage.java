package io.gatehouse.fcgi.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.gatehouse.fcgi.responder.FcgiApplication;
import io.gatehouse.fcgi.responder.FcgiRequest;
import io.gatehouse.fcgi.responder.FcgiResponse;

/**
 * The demo backend's one page: proof that a request went through FastCGI, with the responder's
 * pid, the request line, the CGI params it received and the body length.
 *
 * <p>Stateless; safe to call from many connection threads at once.
 */
public final class DemoPage implements FcgiApplication {

    /** The sentence a user (and the tests) look for. */
    public static final String HEADLINE =
            "gatehouse demo backend \u2014 this page came through a real FastCGI round trip";

    private static final int COPY_BUFFER_SIZE = 8192;

    @Override
    public void handle(FcgiRequest request, FcgiResponse response) throws IOException {
        long bodyLength = drain(request.body());
        byte[] page = render(request.params(), bodyLength);
        String headers = "Content-Type: text/html; charset=utf-8\r\n"
                + "Content-Length: " + page.length + "\r\n\r\n";
        response.stdout().write(headers.getBytes(StandardCharsets.ISO_8859_1));
        response.stdout().write(page);
    }

    private static long drain(InputStream body) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER_SIZE];
        long total = 0;
        for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
            total += n;
        }
        return total;
    }

    private static byte[] render(Map<String, String> params, long bodyLength) {
        Html html = new Html();
        html.text("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>gatehouse demo backend</title>"
                + "</head>\n<body>\n<h1>gatehouse demo backend</h1>\n<p>" + HEADLINE + ".</p>\n");
        html.text("<p>Responder pid: <b>" + ProcessHandle.current().pid() + "</b></p>\n");
        html.text("<p>Request: <code>");
        html.param(params.getOrDefault("REQUEST_METHOD", "?"));
        html.text(" ");
        html.param(params.getOrDefault("REQUEST_URI", "?"));
        html.text("</code></p>\n<p>Request body length: " + bodyLength + " bytes</p>\n");
        html.text("<table>\n<tr><th>CGI parameter</th><th>value</th></tr>\n");
        params.forEach((name, value) -> {
            html.text("<tr><td>");
            html.param(name);
            html.text("</td><td>");
            html.param(value);
            html.text("</td></tr>\n");
        });
        html.text("</table>\n</body></html>\n");
        return html.bytes();
    }

    /** Page bytes: our own text is UTF-8; params are byte strings and go out as the bytes they are. */
    private static final class Html {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void text(String utf8) {
            out.writeBytes(utf8.getBytes(StandardCharsets.UTF_8));
        }

        void param(String byteString) {
            StringBuilder escaped = new StringBuilder(byteString.length() + 16);
            for (int i = 0; i < byteString.length(); i++) {
                char c = byteString.charAt(i);
                switch (c) {
                    case '&' -> escaped.append("&amp;");
                    case '<' -> escaped.append("&lt;");
                    case '>' -> escaped.append("&gt;");
                    case '"' -> escaped.append("&quot;");
                    case '\'' -> escaped.append("&#39;");
                    default -> escaped.append(c);
                }
            }
            out.writeBytes(escaped.toString().getBytes(StandardCharsets.ISO_8859_1));
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
