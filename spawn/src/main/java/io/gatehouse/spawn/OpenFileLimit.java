package io.gatehouse.spawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.gatehouse.spawn.internal.NativeLib;
import jnr.constants.platform.RLIMIT;
import jnr.ffi.Pointer;

/**
 * The process's open-file limit ({@code RLIMIT_NOFILE}), which lighttpd's {@code server.max-fds}
 * sets at start: root sets both limits to it; another user may move its soft limit up to the hard
 * limit only. lighttpd then silently keeps the old limit; here the soft limit goes as far as the
 * hard limit allows and the caller gets a warning naming both. The limit is process-wide, so only
 * the command line sets it; reading it needs no native code ({@code /proc/self/limits}).
 *
 * <p>Stateless; thread-safe.
 */
public final class OpenFileLimit {

    private static final Path LIMITS = Path.of("/proc/self/limits");
    private static final String OPEN_FILES_ROW = "Max open files";
    private static final long UNLIMITED = Long.MAX_VALUE;
    /** {@code struct rlimit}: the soft and the hard limit, an unsigned 64-bit {@code rlim_t} each. */
    private static final int RLIMIT_BYTES = 16;
    private static final int HARD_OFFSET = 8;

    private OpenFileLimit() {
    }

    /**
     * The limits in force after {@link #apply}.
     *
     * @param warning what the caller should tell the operator, when {@code server.max-fds} could
     *                not be applied as written
     */
    public record Applied(long soft, long hard, Optional<String> warning) {
    }

    /**
     * Sets the open-file limit to {@code maxFds}, as lighttpd does at start.
     *
     * @throws IOException GH-LIMIT-001 when the limit cannot be read or set (or the native binding
     *                     cannot be loaded); the caller should not start then, as lighttpd does not
     */
    public static Applied apply(int maxFds) throws IOException {
        if (maxFds <= 0) {
            throw new IllegalArgumentException("server.max-fds must be positive, got " + maxFds);
        }
        NativeLib lib;
        try {
            lib = NativeLib.get();
        } catch (SpawnException e) {
            throw new IOException("GH-LIMIT-001 cannot set server.max-fds: " + e.getMessage(), e);
        }
        int resource = RLIMIT.RLIMIT_NOFILE.intValue();
        Pointer limits = lib.allocate(RLIMIT_BYTES);
        if (lib.libc().getrlimit(resource, limits) != 0) {
            throw new IOException("GH-LIMIT-001 cannot read the open-file limit (RLIMIT_NOFILE): "
                    + NativeLib.errnoName(lib.lastErrno()));
        }
        // unsigned: RLIM_INFINITY reads as -1
        long hard = limits.getLong(HARD_OFFSET);
        long soft = maxFds;
        String warning = null;
        if (lib.euid() == 0) {
            hard = maxFds;
        } else if (Long.compareUnsigned(maxFds, hard) > 0) {
            soft = hard;
            warning = "server.max-fds " + maxFds + " is above the hard open-file limit " + hard
                    + ", which only root can raise: the limit is " + hard
                    + " (raise the hard limit: ulimit -Hn, or LimitNOFILE= in a systemd unit)";
        }
        limits.putLong(0, soft);
        limits.putLong(HARD_OFFSET, hard);
        if (lib.libc().setrlimit(resource, limits) != 0) {
            throw new IOException("GH-LIMIT-001 cannot set the open-file limit (RLIMIT_NOFILE) to " + soft
                    + " (hard " + hard + ") for server.max-fds " + maxFds + ": " + NativeLib.errnoName(lib.lastErrno()));
        }
        return new Applied(soft, hard, Optional.ofNullable(warning));
    }

    /**
     * The soft open-file limit in force, from {@code /proc/self/limits}; {@link Long#MAX_VALUE}
     * when unlimited or unknown (no such file, as off Linux).
     */
    public static long soft() {
        try {
            for (String line : Files.readAllLines(LIMITS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(OPEN_FILES_ROW)) {
                    String[] columns = line.substring(OPEN_FILES_ROW.length()).trim().split("\\s+");
                    return columns[0].equals("unlimited") ? UNLIMITED : Long.parseLong(columns[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: the caller's own bound applies
        }
        return UNLIMITED;
    }
}
