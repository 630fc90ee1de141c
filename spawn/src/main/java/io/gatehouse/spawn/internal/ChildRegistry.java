package io.gatehouse.spawn.internal;

import java.io.IOException;

/**
 * Where the supervisor reports the children it starts and reaps, so that they can be found after
 * gatehouse itself dies without stopping them.
 *
 * <p>Implementations are thread-safe: several backends report concurrently.
 */
public interface ChildRegistry {

    /** Records nothing: used when no state file was asked for. */
    ChildRegistry NONE = new ChildRegistry() {
        @Override
        public void recorded(ChildRecord child) {
        }

        @Override
        public void forgotten(long pid) {
        }
    };

    void recorded(ChildRecord child) throws IOException;

    void forgotten(long pid) throws IOException;
}
