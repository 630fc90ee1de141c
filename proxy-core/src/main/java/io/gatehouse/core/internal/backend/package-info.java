/**
 * Backend hosts and their connections: {@link io.gatehouse.core.internal.backend.BackendPool}
 * (the hosts of one route key and how a request picks one), {@link
 * io.gatehouse.core.internal.backend.BackendHost} (an address, its load, whether it is in rotation),
 * {@link io.gatehouse.core.internal.backend.KeptConnections} (FastCGI keep-alive, bounded by
 * {@code max-connections}) and {@link io.gatehouse.core.internal.backend.ConnectionLease}, the
 * connection one try of a request holds and gives back.
 */
package io.gatehouse.core.internal.backend;
