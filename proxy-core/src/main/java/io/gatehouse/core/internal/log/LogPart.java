package io.gatehouse.core.internal.log;

/**
 * One compiled piece of an access-log format: literal text or one directive.
 *
 * <p>Implementations are immutable or otherwise thread-safe: a compiled format is shared by
 * every thread that logs.
 */
@FunctionalInterface
interface LogPart {

    void append(AccessLogEntry entry, StringBuilder out);
}
