package io.gatehouse.fcgi.responder;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gatehouse.fcgi.Fcgi;
import io.gatehouse.fcgi.FcgiException;
import io.gatehouse.fcgi.FcgiRequestGenerator;
import io.gatehouse.fcgi.FcgiResponseParser;
import io.gatehouse.fcgi.GetValuesResultParser;
import io.gatehouse.fcgi.ProtocolStatus;

/** A web server's side of a FastCGI connection, built on the codec, for driving a responder in tests. */
final class TestClient implements Closeable {

    /** What came back for one request. */
    static final class Response implements FcgiResponseParser.Listener {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final List<String> skipped = new ArrayList<>();
        long appStatus = -1;
        ProtocolStatus status;

        @Override
        public void onStdout(ByteBuffer content) {
            copy(content, stdout);
        }

        @Override
        public void onStderr(ByteBuffer content) {
            copy(content, stderr);
        }

        @Override
        public void onEndRequest(long appStatus, ProtocolStatus status) {
            this.appStatus = appStatus;
            this.status = status;
        }

        @Override
        public void onUnknownRecord(int type, int requestId) {
            skipped.add(type + "@" + requestId);
        }

        String stdoutText() {
            return stdout.toString(StandardCharsets.ISO_8859_1);
        }

        String stderrText() {
            return stderr.toString(StandardCharsets.UTF_8);
        }

        private static void copy(ByteBuffer content, ByteArrayOutputStream into) {
            byte[] bytes = new byte[content.remaining()];
            content.get(bytes);
            into.writeBytes(bytes);
        }
    }

    /** A parser step that consumes from the inbox and says whether it is done. */
    private interface Step {
        boolean parse(ByteBuffer in) throws FcgiException;
    }

    final SocketChannel channel;
    private final ByteBuffer inbox = ByteBuffer.allocate(256 * 1024).flip();

    TestClient(SocketChannel channel) {
        this.channel = channel;
    }

    void send(ByteBuffer... buffers) throws IOException {
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    void begin(int requestId, boolean keepConn, Map<String, String> params) throws IOException {
        send(FcgiRequestGenerator.beginRequest(requestId, keepConn, params));
    }

    /** Sends {@code body[from..to)} as STDIN records of at most 65535 bytes. */
    void sendStdin(int requestId, byte[] body, int from, int to) throws IOException {
        for (int at = from; at < to; at += Fcgi.MAX_CONTENT_LENGTH) {
            int length = Math.min(Fcgi.MAX_CONTENT_LENGTH, to - at);
            ByteBuffer header = ByteBuffer.allocate(Fcgi.HEADER_LENGTH);
            FcgiRequestGenerator.stdinHeader(header, requestId, length);
            send(header.flip(), ByteBuffer.wrap(body, at, length));
        }
    }

    void sendBody(int requestId, byte[] body) throws IOException {
        sendStdin(requestId, body, 0, body.length);
        send(FcgiRequestGenerator.endOfStdin(requestId));
    }

    Response readResponse(int requestId) throws IOException {
        Response response = new Response();
        FcgiResponseParser parser = new FcgiResponseParser(requestId, response);
        readUntil(parser::parse);
        return response;
    }

    /** Reads until {@code minimum} STDOUT bytes of {@code requestId} arrived, without waiting for the end. */
    Response readStdoutAtLeast(int requestId, int minimum, Response response, FcgiResponseParser parser)
            throws IOException {
        readUntil(in -> parser.parse(in) || response.stdout.size() >= minimum);
        return response;
    }

    GetValuesResultParser readGetValuesResult() throws IOException {
        GetValuesResultParser parser = new GetValuesResultParser();
        readUntil(parser::parse);
        return parser;
    }

    /** True if the responder closed the connection (after any bytes already read). */
    boolean atEndOfStream() throws IOException {
        if (inbox.hasRemaining()) {
            return false;
        }
        inbox.compact();
        int n = channel.read(inbox);
        inbox.flip();
        return n < 0;
    }

    private void readUntil(Step step) throws IOException {
        while (!(inbox.hasRemaining() && step.parse(inbox))) {
            inbox.compact();
            int n = channel.read(inbox);
            inbox.flip();
            if (n < 0) {
                throw new EOFException("the responder closed the connection before the answer was complete");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
