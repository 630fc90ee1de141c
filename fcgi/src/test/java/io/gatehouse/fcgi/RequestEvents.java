package io.gatehouse.fcgi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records what a {@link FcgiRequestParser} reports as readable lines. Consecutive pieces of one
 * stream are joined, so every way of cutting the input must give the same lines.
 */
final class RequestEvents implements FcgiRequestParser.Listener {

    private final List<StringBuilder> entries = new ArrayList<>();
    int stdinCalls;

    @Override
    public void onBeginRequest(int requestId, int role, boolean keepConn) {
        entries.add(new StringBuilder("begin " + requestId + " role=" + role + " keepConn=" + keepConn));
    }

    @Override
    public void onParams(int requestId, Map<String, String> params) {
        entries.add(new StringBuilder("params " + requestId + " " + params));
    }

    @Override
    public void onStdin(int requestId, ByteBuffer content) {
        stdinCalls++;
        stream("stdin " + requestId + " ", content);
    }

    @Override
    public void onEndOfStdin(int requestId) {
        entries.add(new StringBuilder("end-stdin " + requestId));
    }

    @Override
    public void onData(int requestId, ByteBuffer content) {
        stream("data " + requestId + " ", content);
    }

    @Override
    public void onEndOfData(int requestId) {
        entries.add(new StringBuilder("end-data " + requestId));
    }

    @Override
    public void onAbortRequest(int requestId) {
        entries.add(new StringBuilder("abort " + requestId));
    }

    @Override
    public void onGetValues(Set<String> names) {
        entries.add(new StringBuilder("get-values " + names));
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

    /** Feeds every piece to a new parser and returns the lines; checks each piece is used up. */
    static RequestEvents parse(Feeds.Feed feed) throws FcgiException {
        RequestEvents events = new RequestEvents();
        FcgiRequestParser parser = new FcgiRequestParser(events);
        for (ByteBuffer piece : feed.pieces()) {
            parser.parse(piece);
            if (piece.hasRemaining()) {
                throw new AssertionError(feed + ": parser left " + piece.remaining() + " bytes unread");
            }
        }
        return events;
    }
}
