package io.gatehouse.fcgi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what a {@link FcgiResponseParser} reports as readable lines (consecutive pieces of one
 * stream joined), plus the input left unread after END_REQUEST.
 */
final class ResponseEvents implements FcgiResponseParser.Listener {

    private final List<StringBuilder> entries = new ArrayList<>();
    final ByteArrayOutputStream leftover = new ByteArrayOutputStream();
    int stdoutCalls;
    long stdoutBytes;

    @Override
    public void onStdout(ByteBuffer content) {
        stdoutCalls++;
        stdoutBytes += content.remaining();
        stream("stdout ", content);
    }

    @Override
    public void onStderr(ByteBuffer content) {
        stream("stderr ", content);
    }

    @Override
    public void onEndRequest(long appStatus, ProtocolStatus status) {
        entries.add(new StringBuilder("end " + appStatus + " " + status));
    }

    @Override
    public void onUnknownRecord(int type, int requestId) {
        entries.add(new StringBuilder("unknown type=" + type + " id=" + requestId));
    }

    /** What was reported, one line per event or per run of one stream. */
    List<String> lines() {
        return entries.stream().map(StringBuilder::toString).toList();
    }

    private void stream(String prefix, ByteBuffer content) {
        byte[] bytes = new byte[content.remaining()];
        content.get(bytes);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        StringBuilder last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
        if (last != null && last.length() >= prefix.length() && last.substring(0, prefix.length()).equals(prefix)) {
            last.append(text);
        } else {
            entries.add(new StringBuilder(prefix).append(text));
        }
    }

    /**
     * Feeds the pieces to a new parser for {@code requestId}; once it completes, the rest of that
     * piece and all later pieces are collected as leftover.
     */
    static ResponseEvents parse(int requestId, Feeds.Feed feed) throws FcgiException {
        ResponseEvents events = new ResponseEvents();
        FcgiResponseParser parser = new FcgiResponseParser(requestId, events);
        for (ByteBuffer piece : feed.pieces()) {
            if (parser.isComplete()) {
                events.keep(piece);
                continue;
            }
            boolean complete = parser.parse(piece);
            if (complete != parser.isComplete()) {
                throw new AssertionError(feed + ": parse returned " + complete + ", isComplete " + parser.isComplete());
            }
            if (complete) {
                events.keep(piece);
            } else if (piece.hasRemaining()) {
                throw new AssertionError(feed + ": parser left " + piece.remaining() + " bytes unread before the end");
            }
        }
        return events;
    }

    private void keep(ByteBuffer piece) {
        byte[] bytes = new byte[piece.remaining()];
        piece.get(bytes);
        leftover.writeBytes(bytes);
    }
}
