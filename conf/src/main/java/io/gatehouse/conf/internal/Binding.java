package io.gatehouse.conf.internal;

import io.gatehouse.conf.SourceLocation;

/**
 * The value of one config key in one block, with where the key was (last) assigned.
 *
 * <p>Immutable; thread-safe.
 */
public record Binding(String key, Value value, SourceLocation keyLocation) {
}
