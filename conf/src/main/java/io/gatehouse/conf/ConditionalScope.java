package io.gatehouse.conf;

import java.util.Objects;

/**
 * One conditional block of the config, flattened: the settings it makes and the guard under which
 * they apply.
 *
 * <p>Immutable; thread-safe.
 */
public record ConditionalScope(Guard guard, Scope scope, SourceLocation location) {

    public ConditionalScope {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(location, "location");
    }
}
