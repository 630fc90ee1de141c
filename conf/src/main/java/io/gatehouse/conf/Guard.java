package io.gatehouse.conf;

/**
 * The condition under which a {@link ConditionalScope} applies: its own test combined with the
 * guards of the blocks it is nested in and the negated tests of the earlier branches of its
 * {@code else} chain.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface Guard {

    /** Whether the scope applies to this request. */
    boolean test(RequestFacts facts);

    /** The condition in config syntax, for logs and the status page. */
    String describe();
}
