package io.gatehouse.scgi.responder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests, waiting and thread checks shared by the responder tests. */
final class ResponderTestSupport {

    private ResponderTestSupport() {
    }

    /** A small CGI environment with CONTENT_LENGTH first, as the proxy builds it. */
    static Map<String, String> env(String method, String uri, int contentLength) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", Integer.toString(contentLength));
        env.put("REQUEST_METHOD", method);
        env.put("REQUEST_URI", uri);
        env.put("QUERY_STRING", "");
        return env;
    }

    /** Header and body of one request in {@code protocol}. */
    static byte[] request(ScgiProtocol protocol, Map<String, String> env, byte[] body) {
        try {
            ByteBuffer header = protocol.header(env);
            byte[] out = new byte[header.remaining() + body.length];
            header.get(out, 0, header.remaining());
            System.arraycopy(body, 0, out, out.length - body.length, body.length);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Names of the live threads started by any {@link ScgiResponder}. */
    static List<String> responderThreads() {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith(ScgiResponder.THREAD_NAME_PREFIX)) {
                names.add(thread.getName());
            }
        }
        return names;
    }

    static void awaitNoConnectionThreads() throws InterruptedException {
        awaitTrue(() -> responderThreads().stream().noneMatch(n -> n.contains("-conn-")));
    }

    /** Polls {@code condition} until true, failing after the client timeout. */
    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + TestClient.TIMEOUT_SECONDS + " s");
            Thread.sleep(5);
        }
    }

    static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(TestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
