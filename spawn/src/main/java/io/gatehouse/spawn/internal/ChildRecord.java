package io.gatehouse.spawn.internal;

/**
 * One live child as the state file records it: enough to find it again after our own death
 * (pid plus start time, so a recycled pid is never mistaken for it), stop it the way its backend
 * wants, and remove the socket file it served (only if the inode still matches).
 *
 * @param startTime   field 22 of /proc/pid/stat, clock ticks after boot
 * @param socketPath  absolute socket path, or an empty string for TCP
 * @param socketInode inode of that socket file, or 0
 *
 * <p>Immutable.
 */
public record ChildRecord(String label, int proc, long pid, long startTime, int killSignal, long killTimeoutMillis,
                          String socketPath, long socketInode) {
}
