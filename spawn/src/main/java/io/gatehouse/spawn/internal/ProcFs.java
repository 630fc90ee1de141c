package io.gatehouse.spawn.internal;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
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

    private static final File PROC = new File("/proc");
    /**
     * The fields read end well inside this: a pid, a command name of at most 15 bytes and 20
     * numbers of at most 20 digits. A longer line is cut here, after them.
     */
    static final int STAT_BUFFER_BYTES = 1024;
    private static final int PPID_FIELD = 4;
    private static final int PGRP_FIELD = 5;
    private static final int STARTTIME_FIELD = 22;
    /**
     * A pid, a group id and clock ticks since boot are far shorter; 19 digits cannot overflow a
     * long.
     */
    private static final int MAX_DIGITS = 19;

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
        return stat(pid, new byte[STAT_BUFFER_BYTES]);
    }

    /**
     * Reads with a plain stream into {@code buffer} and parses the bytes. A stop lists every
     * process while a restart holds requests, and that code runs too rarely to be compiled: read
     * through NIO's file channels into a String split into fields, a listing of 67 processes took
     * 6–15 ms of an idle machine (and up to 20 of a busy one, twice per stop); this way, 1.6–2.6.
     */
    static Optional<Stat> stat(long pid, byte[] buffer) {
        int length;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            // the kernel hands over the whole line in one read when the buffer holds it
            length = in.read(buffer);
        } catch (IOException e) {
            return Optional.empty();
        }
        return length <= 0 ? Optional.empty() : Optional.of(parse(pid, buffer, length));
    }

    /**
     * Parses the first {@code length} bytes of a stat line; throws IllegalStateException if
     * malformed. The command name (field 2) is in parentheses and may itself contain spaces and
     * parentheses, so fields are counted from the last ')'.
     */
    static Stat parse(long pid, byte[] line, int length) {
        int close = length - 1;
        while (close >= 0 && line[close] != ')') {
            close--;
        }
        // field 3 (state) follows the ')' and a space; each field after it ends at a space
        int at = close + 2;
        if (close < 0 || at >= length || line[close + 1] != ' ') {
            throw malformed(pid, line, length);
        }
        char state = (char) line[at];
        long[] fields = new long[STARTTIME_FIELD + 1];
        for (int field = 4; field <= STARTTIME_FIELD; field++) {
            while (at < length && line[at] != ' ') {
                at++;
            }
            at++;
            if (field == PPID_FIELD || field == PGRP_FIELD || field == STARTTIME_FIELD) {
                fields[field] = parseNumber(pid, line, length, at);
            }
        }
        return new Stat(pid, state, fields[PPID_FIELD], fields[PGRP_FIELD], fields[STARTTIME_FIELD]);
    }

    /** The unsigned decimal at {@code at}, which must end at a space or the line's end. */
    private static long parseNumber(long pid, byte[] line, int length, int at) {
        long value = 0;
        int digits = 0;
        for (; at < length && line[at] != ' ' && line[at] != '\n'; at++, digits++) {
            int digit = line[at] - '0';
            if (digit < 0 || digit > 9 || digits == MAX_DIGITS) {
                throw malformed(pid, line, length);
            }
            value = value * 10 + digit;
        }
        if (digits == 0) {
            throw malformed(pid, line, length);
        }
        return value;
    }

    /** The message shows the line with control bytes escaped: a command name may hold any byte. */
    private static IllegalStateException malformed(long pid, byte[] line, int length) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int b = line[i] & 0xff;
            if (b < 0x20 || b >= 0x7f || b == '\\') {
                shown.append(String.format("\\x%02x", b));
            } else {
                shown.append((char) b);
            }
        }
        return new IllegalStateException("/proc/" + pid + "/stat is not a stat line: " + shown);
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
        byte[] buffer = new byte[STAT_BUFFER_BYTES];
        List<Stat> stats = new ArrayList<>();
        for (String name : entries()) {
            if (isPid(name)) {
                stat(Long.parseLong(name), buffer).ifPresent(stats::add);
            }
        }
        return stats;
    }

    /** The names in /proc: a directory for each process, and the kernel's own files. */
    static String[] entries() {
        String[] names = PROC.list();
        if (names == null) {
            throw new IllegalStateException("cannot list /proc");
        }
        return names;
    }

    static boolean isPid(String name) {
        if (name.isEmpty() || name.length() > MAX_DIGITS) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
