package io.gatehouse.core;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.gatehouse.fcgi.FcgiException;
import io.gatehouse.fcgi.FcgiRequestParser;
import io.gatehouse.fcgi.FcgiResponseGenerator;
import io.gatehouse.fcgi.ProtocolStatus;

/**
 * The backend's side of one connection from gatehouse, driven step by step by the test: each
 * call reads or writes only what it says, within a time limit, and never waits past it, so
 * everything the test does not ask for (reading the rest of a body, answering) does not happen.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class ScriptedConnection implements Closeable {

    /** What a FastCGI request carried. */
    record FcgiRequest(int requestId, boolean keepConn, Map<String, String> params, long stdinBytes) {
    }

    private static final int READ_SIZE = 64 * 1024;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_SIZE);
    /** Bytes read by {@link #endsWithoutData} and not yet consumed. */
    private ByteBuffer readAhead;

    ScriptedConnection(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, 0);
    }

    /** Reads one FastCGI request whole (to its empty STDIN record); fails if it does not come within {@code limit}. */
    FcgiRequest readRequest(Duration limit) throws IOException {
        FcgiRequest[] request = new FcgiRequest[1];
        int[] id = new int[1];
        boolean[] keep = new boolean[1];
        long[] stdin = new long[1];
        @SuppressWarnings("unchecked")
        Map<String, String>[] params = new Map[1];
        FcgiRequestParser parser = new FcgiRequestParser(new FcgiRequestParser.Listener() {
            @Override
            public void onBeginRequest(int requestId, int role, boolean keepConn) {
                id[0] = requestId;
                keep[0] = keepConn;
            }

            @Override
            public void onParams(int requestId, Map<String, String> p) {
                params[0] = p;
            }

            @Override
            public void onStdin(int requestId, ByteBuffer content) {
                stdin[0] += content.remaining();
            }

            @Override
            public void onEndOfStdin(int requestId) {
                request[0] = new FcgiRequest(id[0], keep[0], params[0], stdin[0]);
            }
        });
        long deadline = deadline(limit);
        // One byte at a time once close to the end would be exact; whole reads are fine because
        // gatehouse sends nothing after a request's last record.
        while (request[0] == null) {
            readBuffer.clear();
            int n = readSome(deadline);
            if (n < 0) {
                throw new AssertionError("gatehouse closed the connection inside the request");
            }
            readBuffer.flip();
            try {
                parser.parse(readBuffer);
            } catch (FcgiException e) {
                throw new AssertionError("gatehouse sent a malformed request", e);
            }
        }
        return request[0];
    }

    /** Waits until gatehouse has sent something, without reading it; fails if nothing comes within {@code limit}. */
    void awaitBytesUnread(Duration limit) throws IOException {
        long deadline = deadline(limit);
        key.interestOps(SelectionKey.OP_READ);
        while (selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)) == 0) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("gatehouse sent nothing within " + limit.toMillis() + " ms");
            }
        }
        selector.selectedKeys().clear();
    }

    /** Reads and drops at least {@code bytes} bytes of what gatehouse sends, within {@code limit}; returns how many. */
    long readAtLeast(long bytes, Duration limit) throws IOException {
        long deadline = deadline(limit);
        long total = 0;
        while (total < bytes) {
            readBuffer.clear();
            readBuffer.limit((int) Math.min(READ_SIZE, bytes - total));
            int n = readSome(deadline);
            if (n < 0) {
                throw new AssertionError("gatehouse closed the connection after " + total + " of " + bytes + " bytes");
            }
            total += n;
        }
        return total;
    }

    /**
     * True when the connection ends before any byte comes, within {@code limit}: one of the
     * test's own listen-queue fillers whose connect it gave up on just as the backend's kernel
     * completed it. Bytes that come instead are kept for the next read.
     */
    boolean endsWithoutData(Duration limit) throws IOException {
        awaitBytesUnread(limit);
        ByteBuffer first = ByteBuffer.allocate(READ_SIZE);
        int n;
        try {
            n = channel.read(first);
        } catch (IOException reset) {
            return true;
        }
        if (n < 0) {
            return true;
        }
        readAhead = first.flip();
        return false;
    }

    /** One read of at least a byte, or -1 at the end of the stream; fails at {@code deadline}. */
    private int readSome(long deadline) throws IOException {
        if (readAhead != null && readAhead.hasRemaining()) {
            int n = Math.min(readAhead.remaining(), readBuffer.remaining());
            readBuffer.put(readAhead.slice(readAhead.position(), n));
            readAhead.position(readAhead.position() + n);
            return n;
        }
        while (true) {
            int n = channel.read(readBuffer);
            if (n != 0) {
                return n;
            }
            awaitReady(SelectionKey.OP_READ, deadline, "bytes from gatehouse");
        }
    }

    /** Writes {@code data} whole within {@code limit}. */
    void write(ByteBuffer data, Duration limit) throws IOException {
        long deadline = deadline(limit);
        while (data.hasRemaining()) {
            if (channel.write(data) == 0) {
                awaitReady(SelectionKey.OP_WRITE, deadline, "room to write to gatehouse");
            }
        }
    }

    /**
     * Writes {@code data} as long as gatehouse takes it, and returns how much it took once it has
     * taken nothing for {@code stall}, all of it was written, or it closed the connection.
     */
    long writeUntilStalled(ByteBuffer data, Duration stall) throws IOException {
        long written = 0;
        long lastProgress = System.nanoTime();
        while (data.hasRemaining() && System.nanoTime() - lastProgress < stall.toNanos()) {
            int n;
            try {
                n = channel.write(data);
            } catch (IOException closed) {
                return written; // the caller asks closedByPeerWithin() next
            }
            if (n > 0) {
                written += n;
                lastProgress = System.nanoTime();
            } else {
                key.interestOps(SelectionKey.OP_WRITE);
                selector.select(10);
                selector.selectedKeys().clear();
            }
        }
        return written;
    }

    /**
     * True when gatehouse closes its side within {@code limit}: a read sees the end of the stream
     * or a reset. Whatever gatehouse still sends meanwhile is read and dropped.
     */
    boolean closedByPeerWithin(Duration limit) throws IOException {
        long deadline = deadline(limit);
        while (true) {
            readBuffer.clear();
            int n;
            try {
                n = channel.read(readBuffer);
            } catch (IOException reset) {
                return true;
            }
            if (n < 0) {
                return true;
            }
            if (n == 0) {
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
                key.interestOps(SelectionKey.OP_READ);
                selector.select(Math.max(1, Math.min(20, (deadline - System.nanoTime()) / 1_000_000)));
                selector.selectedKeys().clear();
            }
        }
    }

    private void awaitReady(int op, long deadline, String what) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError("timed out waiting for " + what);
        }
        key.interestOps(op);
        selector.select(Math.max(1, Math.min(20, left / 1_000_000)));
        selector.selectedKeys().clear();
    }

    private static long deadline(Duration limit) {
        return System.nanoTime() + limit.toNanos();
    }

    /** A response's STDOUT records for {@code content}, without their end. */
    static ByteBuffer stdout(int requestId, byte[] content) {
        ByteBuffer out = ByteBuffer.allocate(FcgiResponseGenerator.encodedLength(content.length, false));
        FcgiResponseGenerator.stdout(out, requestId, ByteBuffer.wrap(content), false);
        return out.flip();
    }

    static ByteBuffer stdout(int requestId, String text) {
        return stdout(requestId, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A response's STDERR records for {@code text} (UTF-8), without their end. */
    static ByteBuffer stderr(int requestId, String text) {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(FcgiResponseGenerator.encodedLength(content.length, false));
        FcgiResponseGenerator.stderr(out, requestId, ByteBuffer.wrap(content), false);
        return out.flip();
    }

    /** The end of STDOUT and the END_REQUEST record. */
    static ByteBuffer endOfResponse(int requestId) {
        ByteBuffer out = ByteBuffer.allocate(2 * FcgiResponseGenerator.CONTROL_RECORD_LENGTH);
        FcgiResponseGenerator.endOfStdout(out, requestId);
        FcgiResponseGenerator.endRequest(out, requestId, 0, ProtocolStatus.REQUEST_COMPLETE);
        return out.flip();
    }

    /** A whole answer: 200 with {@code body}. */
    static ByteBuffer answer(int requestId, String body) {
        ByteBuffer content = stdout(requestId, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body);
        ByteBuffer end = endOfResponse(requestId);
        return ByteBuffer.allocate(content.remaining() + end.remaining()).put(content).put(end).flip();
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
