package io.gatehouse.fcgi.responder;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * What a connection knows about the request it is serving: its id, whether the connection stays
 * open after it, its params once complete, and the STDIN bytes read from the socket but not yet by
 * the application.
 *
 * <p>Not thread-safe; owned by the connection's thread.
 */
final class ActiveRequest {

    final int id;
    final boolean keepConn;
    private Map<String, String> params;
    private final ByteBuffer pendingStdin;
    private boolean stdinEnded;
    private boolean aborted;
    private boolean discardingStdin;

    /** @param stdinCapacity at least what one socket read can deliver, since stdin is buffered per read */
    ActiveRequest(int id, boolean keepConn, int stdinCapacity) {
        this.id = id;
        this.keepConn = keepConn;
        this.pendingStdin = ByteBuffer.allocate(stdinCapacity).flip();
    }

    Map<String, String> params() {
        return params;
    }

    void params(Map<String, String> params) {
        if (this.params == null) {
            this.params = params;
        }
    }

    /** Keeps STDIN content for the application; called only when the previous read was used up. */
    void addStdin(ByteBuffer content) {
        if (discardingStdin) {
            return;
        }
        pendingStdin.compact();
        if (content.remaining() > pendingStdin.remaining()) {
            pendingStdin.flip();
            throw new IllegalStateException("STDIN overflow: " + content.remaining() + " bytes arrived with "
                    + pendingStdin.remaining() + " still unread");
        }
        pendingStdin.put(content);
        pendingStdin.flip();
    }

    ByteBuffer pendingStdin() {
        return pendingStdin;
    }

    boolean stdinEnded() {
        return stdinEnded;
    }

    void endStdin() {
        stdinEnded = true;
    }

    boolean aborted() {
        return aborted;
    }

    void abort() {
        aborted = true;
    }

    /** From now on STDIN is read only to reach its end: the application has finished. */
    void discardStdin() {
        discardingStdin = true;
        pendingStdin.position(pendingStdin.limit());
    }
}
