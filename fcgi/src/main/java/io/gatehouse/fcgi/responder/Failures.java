package io.gatehouse.fcgi.responder;

import java.nio.channels.ClosedChannelException;

/**
 * Classifies what an application threw, so a routine hang-up is not logged like a bug.
 *
 * <p>Stateless; safe to use from any thread.
 */
final class Failures {

    /** Cause chains are short; the bound only guards against a chain that loops. */
    private static final int MAX_CAUSE_DEPTH = 32;

    private Failures() {
    }

    static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static boolean isConnectionLoss(Throwable failure) {
        return causedBy(failure, ConnectionLostException.class)
                || causedBy(failure, ClosedChannelException.class);
    }
}
