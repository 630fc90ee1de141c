package io.gatehouse.fcgi;

import java.nio.ByteBuffer;

/**
 * Makes a parser's first failure final: once a step threw, every later call throws again,
 * naming that first failure, instead of parsing on from a position inside a broken stream.
 *
 * <p>Not thread-safe: owned by one parser.
 */
final class FailureLatch {

    /** One parse step over {@code in}. */
    interface Step {
        boolean parse(ByteBuffer in) throws FcgiException;
    }

    private final Step step;
    private FcgiException failure;

    FailureLatch(Step step) {
        this.step = step;
    }

    /** Runs the step, unless an earlier one failed. */
    boolean parse(ByteBuffer in) throws FcgiException {
        if (failure != null) {
            throw new FcgiException("parser already failed: " + failure.getMessage(), failure);
        }
        try {
            return step.parse(in);
        } catch (FcgiException e) {
            failure = e;
            throw e;
        }
    }
}
