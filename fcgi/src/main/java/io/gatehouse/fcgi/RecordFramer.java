package io.gatehouse.fcgi;

import java.nio.ByteBuffer;

/**
 * Splits a byte stream into FastCGI records without waiting for whole records: the parsers pull
 * events from it (header complete, a piece of content, record end) and decide what each record
 * means. Input may be cut anywhere, down to one byte per call.
 *
 * <p>Not thread-safe: one instance per stream, used by one thread at a time.
 */
final class RecordFramer {

    enum Event {
        /** {@code in} is used up; call again with more input. */
        NEED_INPUT,
        /** A header was read: {@link #typeCode()}, {@link #requestId()}, {@link #contentLength()} are valid. */
        HEADER,
        /** {@link #content()} holds the next piece of the current record's content. */
        CONTENT,
        /** The current record's content and padding were consumed. */
        RECORD_END
    }

    private enum State { HEADER, CONTENT, PADDING }

    private final byte[] header = new byte[Fcgi.HEADER_LENGTH];
    private int headerFilled;
    private State state = State.HEADER;
    private int typeCode;
    private int requestId;
    private int contentLength;
    private int contentLeft;
    private int paddingLeft;
    private ByteBuffer content;

    /**
     * Consumes input up to the next event and returns it; {@link Event#NEED_INPUT} means all of
     * {@code in} was consumed.
     *
     * @throws FcgiException if a header carries a version other than 1
     */
    Event next(ByteBuffer in) throws FcgiException {
        while (true) {
            switch (state) {
                case HEADER -> {
                    int take = Math.min(in.remaining(), header.length - headerFilled);
                    in.get(header, headerFilled, take);
                    headerFilled += take;
                    if (headerFilled < header.length) {
                        return Event.NEED_INPUT;
                    }
                    decodeHeader();
                    return Event.HEADER;
                }
                case CONTENT -> {
                    if (contentLeft == 0) {
                        state = State.PADDING;
                        continue;
                    }
                    int take = Math.min(in.remaining(), contentLeft);
                    if (take == 0) {
                        return Event.NEED_INPUT;
                    }
                    content = in.slice(in.position(), take);
                    in.position(in.position() + take);
                    contentLeft -= take;
                    return Event.CONTENT;
                }
                case PADDING -> {
                    int skip = Math.min(in.remaining(), paddingLeft);
                    in.position(in.position() + skip);
                    paddingLeft -= skip;
                    if (paddingLeft > 0) {
                        return Event.NEED_INPUT;
                    }
                    state = State.HEADER;
                    return Event.RECORD_END;
                }
                default -> throw new IllegalStateException("unhandled state " + state);
            }
        }
    }

    int typeCode() {
        return typeCode;
    }

    int requestId() {
        return requestId;
    }

    int contentLength() {
        return contentLength;
    }

    /** The piece of content of the last {@link Event#CONTENT} event; a view of the caller's buffer. */
    ByteBuffer content() {
        return content;
    }

    private void decodeHeader() throws FcgiException {
        headerFilled = 0;
        int version = header[0] & 0xFF;
        typeCode = header[1] & 0xFF;
        requestId = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        contentLength = ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
        paddingLeft = header[6] & 0xFF;
        if (version != Fcgi.VERSION) {
            throw new FcgiException("FastCGI record version " + version + ", expected " + Fcgi.VERSION
                    + " (header bytes " + hex(header) + "): is the peer speaking FastCGI?");
        }
        contentLeft = contentLength;
        state = State.CONTENT;
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b & 0xFF));
        }
        return text.toString();
    }
}
