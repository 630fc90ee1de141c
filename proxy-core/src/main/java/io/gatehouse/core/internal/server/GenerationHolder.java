package io.gatehouse.core.internal.server;

/**
 * Which generation serves new requests. A restart swaps it; in-flight requests keep the
 * generation they started with.
 *
 * <p>Thread-safe.
 */
public final class GenerationHolder {

    private volatile Generation current;

    public GenerationHolder(Generation initial) {
        this.current = initial;
    }

    public Generation current() {
        return current;
    }

    public void replace(Generation next) {
        current = next;
    }
}
