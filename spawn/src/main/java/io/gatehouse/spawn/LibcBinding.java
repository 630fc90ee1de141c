package io.gatehouse.spawn;

import io.gatehouse.spawn.internal.NativeLib;

/**
 * The spawner's binding of libc, made when a backend is first spawned or signalled. Exposed so
 * that a caller can have it made at a time of its choosing.
 *
 * <p>Stateless; thread-safe.
 */
public final class LibcBinding {

    private LibcBinding() {
    }

    /**
     * Makes the binding now if no one has yet (jnr-ffi generates its stubs then: a few hundred
     * milliseconds in a cold JVM).
     *
     * @throws SpawnException GH-SPAWN-006 when libc cannot be bound on this platform
     */
    public static void load() throws SpawnException {
        NativeLib.get();
    }
}
