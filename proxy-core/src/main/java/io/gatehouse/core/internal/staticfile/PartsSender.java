package io.gatehouse.core.internal.staticfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import org.xnio.IoUtils;

/**
 * Sends a body made of text pieces and ranges of one open file, one piece after the other without
 * blocking on the client: the byte ranges of a 206 answer, with or without multipart headers.
 * Each file range is read in pieces of at most {@value #PIECE} bytes. The file is closed when the
 * body is sent or the exchange fails.
 *
 * <p>Not thread-safe: driven by the sender's callbacks on the exchange's I/O thread.
 */
final class PartsSender implements IoCallback {

    /** Bytes read from the file per write. */
    static final int PIECE = 64 * 1024;

    private final FileChannel file;
    private final Deque<Object> parts = new ArrayDeque<>();

    PartsSender(FileChannel file) {
        this.file = file;
    }

    /** Appends text (ISO-8859-1, as HTTP headers are). */
    PartsSender text(String text) {
        parts.add(text.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /** Appends the file's bytes {@code first} to {@code last}, inclusive. */
    PartsSender range(long first, long last) {
        parts.add(new long[] {first, last});
        return this;
    }

    /** The number of bytes the parts add up to, for Content-Length. */
    long length() {
        long length = 0;
        for (Object part : parts) {
            length += part instanceof byte[] text ? text.length : ((long[]) part)[1] - ((long[]) part)[0] + 1;
        }
        return length;
    }

    /** Starts sending; the exchange ends after the last part. */
    void send(HttpServerExchange exchange) {
        onComplete(exchange, exchange.getResponseSender());
    }

    @Override
    public void onComplete(HttpServerExchange exchange, Sender sender) {
        Object part = parts.poll();
        if (part == null) {
            IoUtils.safeClose(file);
            sender.close(IoCallback.END_EXCHANGE);
            return;
        }
        if (part instanceof byte[] text) {
            sender.send(ByteBuffer.wrap(text), this);
            return;
        }
        long[] range = (long[]) part;
        int count = (int) Math.min(PIECE, range[1] - range[0] + 1);
        ByteBuffer piece = ByteBuffer.allocate(count);
        try {
            while (piece.hasRemaining()) {
                if (file.read(piece, range[0] + piece.position()) < 0) {
                    throw new IOException("file shrank while it was sent");
                }
            }
        } catch (IOException e) {
            onException(exchange, sender, e);
            return;
        }
        if (range[0] + count <= range[1]) {
            parts.addFirst(new long[] {range[0] + count, range[1]});
        }
        sender.send(piece.flip(), this);
    }

    @Override
    public void onException(HttpServerExchange exchange, Sender sender, IOException exception) {
        IoUtils.safeClose(file);
        IoCallback.END_EXCHANGE.onException(exchange, sender, exception);
    }
}
