package io.gatehouse.spawn;

/**
 * A snapshot of one proc of a spawned backend, for status pages and the choice of a proc.
 *
 * @param number    the proc number N (socket {@code P-N}, port {@code port+N})
 * @param pid       the child's pid, or 0 when no child runs (DOWN, EXTERNAL, STOPPED)
 * @param state     see {@link State}
 * @param address   {@code /run/php.sock-0} or {@code 127.0.0.1:9000}
 * @param restarts  how often the child was respawned
 * @param lastExit  how the last child of this proc ended ({@code status 3},
 *                  {@code signal 9 (SIGKILL)}), or an empty string if none has ended yet
 *
 * <p>Immutable.
 */
public record ProcStatus(int number, long pid, State state, String address, int restarts, String lastExit) {

    /** Life cycle of one proc. */
    public enum State {
        /**
         * Spawned by {@link SpawnedBackend#start} or {@link SpawnedBackend#launch}, its start-up
         * check not over yet. In rotation: requests wait in its listen queue until it accepts.
         */
        STARTING,
        /** A child we own serves the socket. */
        RUNNING,
        /** The child died; a respawn is scheduled. Not in rotation. */
        DOWN,
        /** Something we did not spawn already served the address: used, never signalled. */
        EXTERNAL,
        /** The backend was stopped. */
        STOPPED
    }

    /** True when requests may be sent to this proc. */
    public boolean available() {
        return isAvailable(state);
    }

    /** True for the states in which a proc takes requests. */
    public static boolean isAvailable(State state) {
        return state == State.STARTING || state == State.RUNNING || state == State.EXTERNAL;
    }
}
