/**
 * Backend processes for lighttpd-style {@code bin-path}: binding each proc's unix socket or TCP
 * port, spawning the child with the listening socket as fd 0 (every other descriptor closed,
 * clean signal state, its own process group), supervising and respawning it with backoff,
 * stopping it with escalation, and cleaning up after a gatehouse that died without stopping its
 * children ({@link io.gatehouse.spawn.StateFile}).
 *
 * <p>Entry point: {@link io.gatehouse.spawn.SpawnedBackend#start}. Linux with glibc 2.34 or later
 * only. The package {@code io.gatehouse.spawn.internal} is implementation, not API.
 */
package io.gatehouse.spawn;
