package io.gatehouse.itest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a front end answered to one raw request target sent to an environment-dump page
 * ({@code cgi-env.php}, {@code cgi_env_wsgi.py}): the status, and for a 200 the variables the
 * page printed, in its order, with their values exactly as received (one char per byte); a
 * variable the front end did not send maps to null.
 *
 * <p>Immutable.
 *
 * @param status    the HTTP status
 * @param variables name to value (null: not sent), empty unless the status is 200
 */
record CgiEnvironmentAnswer(int status, Map<String, String> variables) {

    private static final int TIMEOUT_MILLIS = 15_000;

    /**
     * Sends {@code GET <target> HTTP/1.0} with the target's UTF-8 bytes as they are (no client
     * normalises them) to 127.0.0.1:{@code port} and reads the answer to the close.
     */
    static CgiEnvironmentAnswer fetch(int port, String target) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("GET ").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(target.getBytes(StandardCharsets.UTF_8));
        request.writeBytes(" HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] answer;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.getOutputStream().write(request.toByteArray());
            answer = socket.getInputStream().readAllBytes();
        }
        return parse(new String(answer, StandardCharsets.ISO_8859_1), target);
    }

    private static CgiEnvironmentAnswer parse(String answer, String target) throws IOException {
        int headEnd = answer.indexOf("\r\n\r\n");
        if (!answer.startsWith("HTTP/1.") || headEnd < 0) {
            throw new IOException("no HTTP response to " + target + ": " + answer);
        }
        int status = Integer.parseInt(answer.substring(9, 12));
        Map<String, String> variables = new LinkedHashMap<>();
        if (status == 200) {
            for (String line : answer.substring(headEnd + 4).split("\n")) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    variables.put(line, null);
                } else {
                    variables.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return new CgiEnvironmentAnswer(status, variables);
    }

    /** The value of {@code name} as the table shows it: status for {@code "status"}, null when not sent. */
    String value(String name) {
        return name.equals(CgiEnvironmentTable.STATUS) ? String.valueOf(status) : variables.get(name);
    }
}
