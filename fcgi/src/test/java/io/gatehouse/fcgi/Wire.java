package io.gatehouse.fcgi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds raw record bytes by hand (for cases no generator produces) and splits a stream into headers. */
final class Wire {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Wire record(int type, int requestId, byte[] content, int padding) {
        ByteBuffer header = ByteBuffer.allocate(Fcgi.HEADER_LENGTH);
        RecordHeader.write(header, type, requestId, content.length, padding);
        out.writeBytes(header.array());
        out.writeBytes(content);
        for (int i = 0; i < padding; i++) {
            out.write(0xEE);
        }
        return this;
    }

    Wire record(RecordType type, int requestId, String content) {
        return record(type.code(), requestId, latin1(content), 0);
    }

    Wire raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    Wire buffer(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        out.writeBytes(bytes);
        return this;
    }

    Wire begin(int requestId, int role, int flags) {
        ByteBuffer body = ByteBuffer.allocate(Fcgi.BEGIN_REQUEST_BODY_LENGTH);
        body.putShort((short) role).put((byte) flags);
        return record(RecordType.BEGIN_REQUEST.code(), requestId, body.array(), 0);
    }

    Wire endRequest(int requestId, int appStatus, int protocolStatus) {
        ByteBuffer body = ByteBuffer.allocate(Fcgi.END_REQUEST_BODY_LENGTH);
        body.putInt(appStatus).put((byte) protocolStatus);
        return record(RecordType.END_REQUEST.code(), requestId, body.array(), 0);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A header as seen on the wire. */
    record Header(int version, int type, int requestId, int contentLength, int paddingLength) {
    }

    /** The headers of a well-formed stream of records, in order. */
    static List<Header> headers(byte[] stream) {
        List<Header> headers = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(stream);
        while (in.hasRemaining()) {
            Header header = new Header(in.get() & 0xFF, in.get() & 0xFF, in.getShort() & 0xFFFF,
                    in.getShort() & 0xFFFF, in.get() & 0xFF);
            in.get();
            in.position(in.position() + header.contentLength() + header.paddingLength());
            headers.add(header);
        }
        return headers;
    }
}
