package io.gatehouse.core.internal.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;

import io.gatehouse.fcgi.BeginRequestWriter;
import io.gatehouse.fcgi.Fcgi;
import io.gatehouse.fcgi.FcgiRequestGenerator;
import io.gatehouse.fcgi.FcgiResponseParser;
import io.gatehouse.fcgi.ProtocolStatus;

/**
 * FastCGI as lighttpd speaks it: request id 1, no multiplexing, BEGIN_REQUEST and PARAMS in one
 * write, the body in STDIN records of at most 65535 bytes, an empty STDIN record at the end; the
 * response ends with END_REQUEST. Unlike lighttpd, FCGI_KEEP_CONN is set for backends with
 * {@code keep-alive} enabled, so one connection carries request after request.
 */
public final class FcgiProtocol implements BackendProtocol {

    public static final FcgiProtocol INSTANCE = new FcgiProtocol();

    private static final int REQUEST_ID = 1;

    private FcgiProtocol() {
    }

    @Override
    public ByteBuffer requestHead(Map<String, String> env, boolean keepConn) throws IOException {
        return FcgiRequestGenerator.beginRequest(REQUEST_ID, keepConn, env);
    }

    /** Each variable goes straight into the PARAMS record as it comes. */
    @Override
    public ByteBuffer requestHead(VariableSource variables, boolean keepConn) throws IOException {
        BeginRequestWriter writer = new BeginRequestWriter(REQUEST_ID, keepConn);
        variables.writeTo(writer::param);
        return writer.finish();
    }

    @Override
    public boolean canKeepConnection() {
        return true;
    }

    @Override
    public ByteBuffer[] wholeRequest(ByteBuffer head, ByteBuffer body) {
        int records = (body.remaining() + Fcgi.MAX_CONTENT_LENGTH - 1) / Fcgi.MAX_CONTENT_LENGTH;
        ByteBuffer[] request = new ByteBuffer[2 + 2 * records];
        request[0] = head;
        int at = 1;
        for (int start = body.position(); start < body.limit(); start += Fcgi.MAX_CONTENT_LENGTH) {
            int length = Math.min(Fcgi.MAX_CONTENT_LENGTH, body.limit() - start);
            request[at++] = pieceHeader(length);
            // A view starting at 0: a retry rewinds every buffer to send it again.
            request[at++] = body.slice(start, length);
        }
        request[at] = endOfBody();
        return request;
    }

    @Override
    public ByteBuffer pieceHeader(int length) {
        ByteBuffer header = ByteBuffer.allocate(Fcgi.HEADER_LENGTH);
        FcgiRequestGenerator.stdinHeader(header, REQUEST_ID, length);
        return header.flip();
    }

    @Override
    public ByteBuffer endOfBody() {
        return FcgiRequestGenerator.endOfStdin(REQUEST_ID);
    }

    @Override
    public ResponseReader newResponseReader(ResponseSink sink, String target) {
        return new Reader(sink, target);
    }

    /** Parses records; STDOUT goes to the sink, the response ends with END_REQUEST. */
    private static final class Reader implements ResponseReader, FcgiResponseParser.Listener {

        private final ResponseSink sink;
        private final String target;
        private final FcgiResponseParser parser;
        private ProtocolStatus ended;
        private boolean clean;

        Reader(ResponseSink sink, String target) {
            this.sink = sink;
            this.target = target;
            this.parser = new FcgiResponseParser(REQUEST_ID, this);
        }

        @Override
        public boolean feed(ByteBuffer data) throws IOException {
            try {
                if (!parser.parse(data)) {
                    return false;
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            // Bytes after END_REQUEST belong to no request we sent: such a connection is not reused.
            clean = ended == ProtocolStatus.REQUEST_COMPLETE && !data.hasRemaining();
            return true;
        }

        @Override
        public void endOfStream() throws IOException {
            throw new PrematureEofException("unexpected end-of-file from " + target
                    + " before END_REQUEST (perhaps the fastcgi process died)");
        }

        @Override
        public boolean clean() {
            return clean;
        }

        @Override
        public void onStdout(ByteBuffer content) {
            try {
                sink.stdout(content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void onStderr(ByteBuffer content) {
            sink.stderr(content);
        }

        @Override
        public void onEndRequest(long appStatus, ProtocolStatus status) {
            ended = status;
        }
    }
}
