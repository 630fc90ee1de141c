package io.gatehouse.fcgi.responder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gatehouse.fcgi.Fcgi;
import io.gatehouse.fcgi.FcgiException;
import io.gatehouse.fcgi.FcgiRequestParser;
import io.gatehouse.fcgi.FcgiResponseGenerator;
import io.gatehouse.fcgi.ProtocolStatus;
import io.gatehouse.fcgi.Role;

/**
 * One web-server connection of a {@link FcgiResponder}: reads requests, runs the application on
 * this connection's thread, and answers management records. Requests are served one after the
 * other (FCGI_MPXS_CONNS is 0); a BEGIN_REQUEST for a second request while one is active is
 * answered with CANT_MPX_CONN.
 *
 * <p>Its thread owns all state; {@link #write} is also safe from other threads so records never
 * interleave, and {@link #closeChannel} may be called from any thread to stop it.
 */
final class ResponderConnection implements Runnable {

    /** One full record plus its header per read, so buffered STDIN never exceeds one read. */
    static final int READ_BUFFER_SIZE = Fcgi.HEADER_LENGTH + Fcgi.MAX_CONTENT_LENGTH + Fcgi.MAX_PADDING_LENGTH;

    private static final String FAILURE_RESPONSE = "Status: 500 Internal Server Error\r\n"
            + "Content-Type: text/plain\r\n\r\nThe FastCGI application failed; see its error log.\n";

    private final SocketChannel channel;
    private final FcgiApplication app;
    private final Map<String, String> managementValues;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_SIZE);
    private final FcgiRequestParser parser = new FcgiRequestParser(new Events());
    private final List<ByteBuffer> queuedReplies = new ArrayList<>();
    private final Object writeLock = new Object();
    private final LingeringClose lingeringClose = new LingeringClose();
    private ActiveRequest active;
    private boolean closeAfterReplies;
    private String protocolError;
    private FcgiException protocolFailure;

    ResponderConnection(SocketChannel channel, FcgiApplication app, Map<String, String> managementValues) {
        this.channel = channel;
        this.app = app;
        this.managementValues = managementValues;
    }

    @Override
    public void run() {
        try {
            while (serveOneRequest()) {
                // next request on the same connection (FCGI_KEEP_CONN)
            }
        } catch (ConnectionLostException e) {
            // the web server hung up or the responder is closing: routine, nothing to report
        } catch (FcgiException e) {
            log().println("gatehouse fcgi responder: protocol error, closing the connection: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (!Failures.isConnectionLoss(e)) {
                log().println("gatehouse fcgi responder: connection failed: " + e);
            }
        } finally {
            closeChannel();
        }
    }

    /** Closes the socket; a thread blocked on it wakes up with a {@link ConnectionLostException}. */
    void closeChannel() {
        lingeringClose.abandon();
        try {
            channel.close();
        } catch (IOException e) {
            // closing is best effort: the descriptor is released either way
        }
    }

    /** Writes one or more whole records; never interleaves with another writer. */
    void write(ByteBuffer records) throws IOException {
        synchronized (writeLock) {
            try {
                while (records.hasRemaining()) {
                    channel.write(records);
                }
            } catch (IOException e) {
                throw new ConnectionLostException("writing to the web server failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads once from the socket and parses what came; needed by the body stream and the wait for
     * params.
     *
     * @throws ConnectionLostException at end of stream, naming {@code waitingFor}
     */
    void readMore(String waitingFor) throws IOException {
        readBuffer.clear();
        int n;
        try {
            n = channel.read(readBuffer);
        } catch (IOException e) {
            throw new ConnectionLostException("reading " + waitingFor + " failed: " + e.getMessage(), e);
        }
        if (n < 0) {
            throw new ConnectionLostException("the web server closed the connection while " + waitingFor
                    + " was expected");
        }
        readBuffer.flip();
        try {
            parser.parse(readBuffer);
            if (protocolError != null) {
                throw new FcgiException(protocolError);
            }
        } catch (FcgiException e) {
            protocolFailure = e;
            throw e;
        }
        for (ByteBuffer reply : queuedReplies) {
            write(reply);
        }
        queuedReplies.clear();
    }

    /** Serves one request; false when the connection is done. */
    private boolean serveOneRequest() throws IOException {
        while (active == null || active.params() == null) {
            if (closeAfterReplies) {
                lingeringClose.run(channel);
                return false;
            }
            if (active != null) {
                readMore("PARAMS of request id " + active.id);
            } else if (!readOrEndOfStream()) {
                return false;
            }
        }
        ActiveRequest request = active;
        respond(request);
        active = null;
        if (!request.keepConn || closeAfterReplies) {
            lingeringClose.run(channel);
            return false;
        }
        return true;
    }

    /** Between requests the web server may simply hang up: that is the end, not an error. */
    private boolean readOrEndOfStream() throws IOException {
        try {
            readMore("a request");
            return true;
        } catch (ConnectionLostException e) {
            return false;
        }
    }

    private void respond(ActiveRequest request) throws IOException {
        Exchange exchange = new Exchange(this, request);
        long appStatus;
        try {
            app.handle(exchange, exchange);
            appStatus = Integer.toUnsignedLong(exchange.appStatusValue());
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (protocolFailure != null) {
                // the web server broke the protocol while the application read the body: not its fault
                throw protocolFailure;
            }
            if (Failures.isConnectionLoss(e)) {
                throw new ConnectionLostException("connection lost during request id " + request.id, e);
            }
            appStatus = 1;
            if (!Failures.causedBy(e, RequestAbortedException.class)) {
                reportFailure(request, exchange, e);
            }
        }
        exchange.bodyStream().end();
        exchange.stdoutStream().finish();
        exchange.stderrStream().finish();
        request.discardStdin();
        while (!request.stdinEnded() && !request.aborted()) {
            readMore("the rest of STDIN of request id " + request.id);
        }
        ByteBuffer end = ByteBuffer.allocate(FcgiResponseGenerator.CONTROL_RECORD_LENGTH);
        FcgiResponseGenerator.endRequest(end, request.id, appStatus, ProtocolStatus.REQUEST_COMPLETE);
        write(end.flip());
    }

    private void reportFailure(ActiveRequest request, Exchange exchange, Throwable failure) throws IOException {
        String uri = request.params().getOrDefault("REQUEST_URI", "no REQUEST_URI");
        String where = "request id " + request.id + " (" + uri + ")";
        log().println("gatehouse fcgi responder: the application failed on " + where + ":");
        failure.printStackTrace(log());
        RecordOutputStream stdout = exchange.stdoutStream();
        if (!stdout.written()) {
            stdout.write(FAILURE_RESPONSE.getBytes(StandardCharsets.ISO_8859_1));
        }
        String line = "application failed: " + failure + "\n";
        exchange.stderrStream().write(line.getBytes(StandardCharsets.UTF_8));
    }

    /** Looked up at each use so a redirected {@code System.err} is honoured. */
    private static PrintStream log() {
        return System.err;
    }

    private void queueEndRequest(int requestId, ProtocolStatus status) {
        ByteBuffer end = ByteBuffer.allocate(FcgiResponseGenerator.CONTROL_RECORD_LENGTH);
        FcgiResponseGenerator.endRequest(end, requestId, 0, status);
        queuedReplies.add(end.flip());
    }

    /** Parser callbacks: they only record state and queue replies; the thread writes after parsing. */
    private final class Events implements FcgiRequestParser.Listener {

        @Override
        public void onBeginRequest(int requestId, int role, boolean keepConn) {
            if (active != null) {
                if (active.id == requestId) {
                    protocolError = "BEGIN_REQUEST for request id " + requestId + " while that request is active";
                } else {
                    queueEndRequest(requestId, ProtocolStatus.CANT_MPX_CONN);
                }
                return;
            }
            if (role != Role.RESPONDER.code()) {
                queueEndRequest(requestId, ProtocolStatus.UNKNOWN_ROLE);
                closeAfterReplies |= !keepConn;
                return;
            }
            active = new ActiveRequest(requestId, keepConn, READ_BUFFER_SIZE);
        }

        @Override
        public void onParams(int requestId, Map<String, String> params) {
            if (isActive(requestId)) {
                active.params(params);
            }
        }

        @Override
        public void onStdin(int requestId, ByteBuffer content) {
            if (isActive(requestId)) {
                active.addStdin(content);
            }
        }

        @Override
        public void onEndOfStdin(int requestId) {
            if (isActive(requestId)) {
                active.endStdin();
            }
        }

        @Override
        public void onAbortRequest(int requestId) {
            if (!isActive(requestId)) {
                return;
            }
            if (active.params() == null) {
                // the application never saw it: answer here and forget it
                queueEndRequest(requestId, ProtocolStatus.REQUEST_COMPLETE);
                closeAfterReplies |= !active.keepConn;
                active = null;
            } else {
                active.abort();
            }
        }

        @Override
        public void onGetValues(Set<String> names) {
            Map<String, String> known = new LinkedHashMap<>();
            for (String name : names) {
                String value = managementValues.get(name);
                if (value != null) {
                    known.put(name, value);
                }
            }
            try {
                queuedReplies.add(FcgiResponseGenerator.getValuesResult(known));
            } catch (FcgiException e) {
                throw new IllegalStateException("our own values do not encode: " + e.getMessage(), e);
            }
        }

        @Override
        public void onUnknownRecord(int type, int requestId) {
            ByteBuffer reply = ByteBuffer.allocate(FcgiResponseGenerator.CONTROL_RECORD_LENGTH);
            FcgiResponseGenerator.unknownType(reply, type);
            queuedReplies.add(reply.flip());
        }

        private boolean isActive(int requestId) {
            return active != null && active.id == requestId;
        }
    }
}
