package io.gatehouse.core.internal.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import io.gatehouse.scgi.ScgiHeaderWriter;
import io.gatehouse.scgi.ScgiRequestGenerator;
import io.gatehouse.scgi.UwsgiHeaderWriter;
import io.gatehouse.scgi.UwsgiRequestGenerator;

/**
 * SCGI (and its uwsgi variant): a header of CGI variables, the raw body, and a response that
 * lasts until the backend closes the connection.
 */
public final class ScgiProtocol implements BackendProtocol {

    public static final ScgiProtocol SCGI = new ScgiProtocol(false);
    public static final ScgiProtocol UWSGI = new ScgiProtocol(true);

    private final boolean uwsgi;

    private ScgiProtocol(boolean uwsgi) {
        this.uwsgi = uwsgi;
    }

    @Override
    public ByteBuffer requestHead(Map<String, String> env, boolean keepConn) throws IOException {
        return uwsgi ? UwsgiRequestGenerator.header(env) : ScgiRequestGenerator.header(env);
    }

    /** Each variable goes straight into the header's bytes as it comes. */
    @Override
    public ByteBuffer requestHead(VariableSource variables, boolean keepConn) throws IOException {
        if (uwsgi) {
            UwsgiHeaderWriter writer = new UwsgiHeaderWriter();
            variables.writeTo(writer::put);
            return writer.finish();
        }
        ScgiHeaderWriter writer = new ScgiHeaderWriter();
        variables.writeTo(writer::put);
        return writer.finish();
    }

    @Override
    public boolean canKeepConnection() {
        return false; // the response ends at EOF
    }

    @Override
    public ByteBuffer[] wholeRequest(ByteBuffer head, ByteBuffer body) {
        return body.hasRemaining() ? new ByteBuffer[] {head, body.slice()} : new ByteBuffer[] {head};
    }

    @Override
    public ByteBuffer pieceHeader(int length) {
        return ByteBuffer.allocate(0); // the raw body follows the header
    }

    @Override
    public ByteBuffer endOfBody() {
        return ByteBuffer.allocate(0); // the length in CONTENT_LENGTH ends it
    }

    @Override
    public ResponseReader newResponseReader(ResponseSink sink, String target) {
        return new ResponseReader() {
            @Override
            public boolean feed(ByteBuffer data) throws IOException {
                sink.stdout(data);
                return false; // SCGI responses end at EOF
            }

            @Override
            public void endOfStream() {
                // the end of an SCGI response
            }

            @Override
            public boolean clean() {
                return false;
            }
        };
    }
}
