package io.gatehouse.scgi.responder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.gatehouse.scgi.RequestHeaderParser;
import io.gatehouse.scgi.ScgiException;

/**
 * One accepted connection of an {@link ScgiResponder}: reads the request header, runs the
 * application, closes. Runs on its own thread; {@link #abort()} may be called from any thread.
 */
final class ResponderConnection implements Runnable {

    /** Read size for the header; whatever body bytes come with it are handed to the application. */
    private static final int READ_BUFFER_SIZE = 8192;

    private static final byte[] INTERNAL_ERROR =
            "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\ninternal server error\n"
                    .getBytes(StandardCharsets.ISO_8859_1);

    private final SocketChannel channel;
    private final ScgiProtocol protocol;
    private final ScgiApplication app;

    ResponderConnection(SocketChannel channel, ScgiProtocol protocol, ScgiApplication app) {
        this.channel = channel;
        this.protocol = protocol;
        this.app = app;
    }

    @Override
    public void run() {
        try {
            serve();
        } catch (IOException e) {
            // the client went away or the responder is closing: nobody is left to answer
        } finally {
            abort();
        }
    }

    /** Closes the connection, which also unblocks a thread reading or writing it. */
    void abort() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is best effort: the descriptor is released either way
        }
    }

    private void serve() throws IOException {
        RequestHeaderParser parser = protocol.newParser();
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_SIZE);
        ResponseOutputStream out = new ResponseOutputStream(channel);
        try {
            // bounded: every pass consumes bytes and the parser fails past its size limit
            while (true) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    return;
                }
                buffer.flip();
                if (parser.parse(buffer)) {
                    break;
                }
            }
        } catch (ScgiException e) {
            System.err.println("GH-SCGI-002 malformed " + protocol + " request: " + e.getMessage());
            String page = "Status: 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n" + e.getMessage() + "\n";
            out.replaceUncommitted(page.getBytes(StandardCharsets.ISO_8859_1));
            channel.shutdownOutput();
            return;
        }

        RequestBodyInputStream body = new RequestBodyInputStream(channel, buffer, parser.contentLength());
        try {
            app.handle(parser.env(), body, out);
            out.flushBuffer();
        } catch (IOException | RuntimeException e) {
            if (body.clientGone() || out.clientGone() || !channel.isOpen()) {
                return;
            }
            System.err.println("GH-SCGI-001 application failed on " + describe(parser.env()) + ": "
                    + oneLine(e.toString()) + (out.committed() ? " (response cut short)" : " (answered 500)"));
            if (!out.committed()) {
                out.replaceUncommitted(INTERNAL_ERROR);
            }
        }
        channel.shutdownOutput();
        body.drain();
    }

    private static String describe(Map<String, String> env) {
        String method = env.getOrDefault("REQUEST_METHOD", "?");
        String uri = env.getOrDefault("REQUEST_URI", env.getOrDefault("SCRIPT_NAME", "?"));
        return method + " " + oneLine(uri);
    }

    private static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }
}
