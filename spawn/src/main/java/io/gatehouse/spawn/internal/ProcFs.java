package io.gatehouse.spawn.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code /proc/<pid>/stat}: the only place that tells a live process from a zombie, gives
 * the start time that tells a process from a later one with a recycled pid, and lists the members
 * of a process group (zombies are not signalled by anything and do not count as alive).
 *
 * <p>Stateless; thread-safe.
 */
public final class ProcFs {

    private static final Path PROC = Path.of("/proc");

    private ProcFs() {
    }

    /** The fields of one {@code /proc/<pid>/stat} line this module uses. */
    public record Stat(long pid, char state, long parentPid, long processGroup, long startTime) {

        public boolean zombie() {
            return state == 'Z' || state == 'X';
        }
    }

    /** The stat of {@code pid}, or empty when no such process exists (or it vanished mid-read). */
    public static Optional<Stat> stat(long pid) {
        String line;
        try {
            line = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(parse(pid, line));
    }

    /**
     * Parses a stat line. The command name (field 2) is in parentheses and may itself contain
     * spaces and parentheses, so fields are counted from the last ')'.
     */
    static Stat parse(long pid, String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalStateException("/proc/" + pid + "/stat has no command field: " + line);
        }
        String[] rest = line.substring(close + 2).trim().split(" ");
        // rest[0] is field 3 (state), so field N is rest[N - 3]
        return new Stat(pid, rest[0].charAt(0), Long.parseLong(rest[1]), Long.parseLong(rest[2]),
                Long.parseLong(rest[19]));
    }

    /** True when {@code pid} exists and is not a zombie. */
    public static boolean alive(long pid) {
        return stat(pid).map(s -> !s.zombie()).orElse(false);
    }

    /**
     * True when {@code pid} is alive (not a zombie) and still in group {@code processGroup}: a
     * pid that was reaped and reused by an unrelated process is not counted.
     */
    public static boolean liveInGroup(long pid, long processGroup) {
        return stat(pid).map(s -> !s.zombie() && s.processGroup() == processGroup).orElse(false);
    }

    /** Pids of processes in group {@code processGroup} that are not zombies. */
    public static List<Long> liveGroupMembers(long processGroup) {
        List<Long> members = new ArrayList<>();
        for (Stat stat : all()) {
            if (stat.processGroup() == processGroup && !stat.zombie()) {
                members.add(stat.pid());
            }
        }
        return members;
    }

    /** Every process visible now; processes that exit while being listed are skipped. */
    public static List<Stat> all() {
        List<Stat> stats = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    try {
                        stat(Long.parseLong(name)).ifPresent(stats::add);
                    } catch (NumberFormatException e) {
                        // not a process directory
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e, e);
        }
        return stats;
    }
}
