/**
 * Backend processes: binding their unix sockets, spawning children with the listening socket as
 * fd 0, reaping, respawning with backoff and stopping a generation. Filled in by the spawner work;
 * until then proxy-core starts only external backends.
 */
package io.gatehouse.spawn;
