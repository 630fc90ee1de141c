package io.gatehouse.itest.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assertions;

/**
 * Reads the process table from {@code /proc}: children and descendants of a pid, process state,
 * open descriptors, and sends signals with {@code kill}. Used by the tests to prove that nothing
 * the product spawns outlives it.
 *
 * <p>Linux only. Stateless: every method reads {@code /proc} afresh and is safe to call from any
 * thread. A process may exit between two reads; methods treat a vanished pid as "not there".
 */
public final class ProcessTree {

    /** How long {@link #signal} waits for the {@code kill} helper; it returns at once when healthy. */
    private static final Duration KILL_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** Guards descendant walks against a corrupt or racing table; real trees here have a handful. */
    private static final int MAX_DESCENDANTS = 10_000;
    /** Poll interval of the wait helpers: short enough for fast tests, long enough not to spin. */
    private static final long POLL_MILLIS = 20;
    private static final Pattern SIGNAL_NAME = Pattern.compile("[A-Z][A-Z0-9]{1,7}");
    private static final Path PROC = Paths.get("/proc");

    private ProcessTree() {
    }

    /**
     * One row of the process table.
     *
     * @param startTicks start time in clock ticks since boot: with the pid it names a process
     *                   uniquely, so a reused pid is not mistaken for the original
     */
    public record ProcInfo(long pid, long ppid, char state, String comm, String cmdline, long startTicks) {

        public boolean isZombie() {
            return state == 'Z' || state == 'X';
        }

        /** {@code pid 123 (php-fpm8.2) state S: php-fpm: master process (/tmp/x/php-fpm.conf)}. */
        public String describe() {
            return "pid " + pid + " (" + comm + ") state " + state + ": "
                    + (cmdline.isEmpty() ? "[" + comm + "]" : cmdline);
        }
    }

    /** The row of {@code pid}, or empty when there is no such process (any more). */
    public static Optional<ProcInfo> info(long pid) {
        Path dir = PROC.resolve(Long.toString(pid));
        String stat;
        try {
            stat = Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.empty();
        }
        // comm may contain spaces and parentheses: it ends at the last ')'.
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalStateException("unparseable /proc/" + pid + "/stat: " + stat);
        }
        String comm = stat.substring(open + 1, close);
        String[] rest = stat.substring(close + 2).trim().split(" ");
        // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[19] field 22 (starttime).
        char state = rest[0].charAt(0);
        long ppid = Long.parseLong(rest[1]);
        long startTicks = Long.parseLong(rest[19]);
        return Optional.of(new ProcInfo(pid, ppid, state, comm, cmdline(dir), startTicks));
    }

    private static String cmdline(Path dir) {
        try {
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** Every process on the machine, read in one pass. */
    public static List<ProcInfo> all() {
        List<ProcInfo> result = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                info(Long.parseLong(entry.getFileName().toString())).ifPresent(result::add);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e, e);
        }
        return result;
    }

    /** Direct children of {@code pid}, zombies included. */
    public static List<ProcInfo> children(long pid) {
        return all().stream().filter(p -> p.ppid() == pid).collect(Collectors.toList());
    }

    /** Children, grandchildren and so on of {@code pid} (not {@code pid} itself), zombies included. */
    public static List<ProcInfo> descendants(long pid) {
        Map<Long, List<ProcInfo>> byParent = new HashMap<>();
        for (ProcInfo p : all()) {
            byParent.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        }
        List<ProcInfo> result = new ArrayList<>();
        Deque<Long> pending = new ArrayDeque<>(List.of(pid));
        while (!pending.isEmpty()) {
            for (ProcInfo child : byParent.getOrDefault(pending.poll(), List.of())) {
                if (result.size() >= MAX_DESCENDANTS) {
                    throw new IllegalStateException("more than " + MAX_DESCENDANTS
                            + " descendants under pid " + pid + ": process table looks corrupt");
                }
                result.add(child);
                pending.add(child.pid());
            }
        }
        return result;
    }

    /** True while {@code pid} exists and has not exited (a zombie has exited). */
    public static boolean isAlive(long pid) {
        return info(pid).map(p -> !p.isZombie()).orElse(false);
    }

    /** True while the very process {@code p} describes still runs (a reused pid does not count). */
    public static boolean isAlive(ProcInfo p) {
        return info(p.pid()).map(now -> now.startTicks() == p.startTicks() && !now.isZombie())
                .orElse(false);
    }

    /** True while {@code pid} is a zombie: exited, but its parent has not reaped it. */
    public static boolean isZombie(long pid) {
        return info(pid).map(ProcInfo::isZombie).orElse(false);
    }

    /**
     * Peak resident set size of {@code pid} so far in KiB ({@code VmHWM} of {@code /proc/<pid>/status}):
     * what the process needed at its worst, whenever that was.
     */
    public static long peakRssKib(long pid) {
        return Long.parseLong(statusField(pid, "VmHWM").replace("kB", "").trim());
    }

    /**
     * True when {@code pid} ignores signal number {@code signal} ({@code SigIgn} of
     * {@code /proc/<pid>/status}). A child inherits ignored signals, so a test run from a
     * background job of a non-interactive shell hands SIGINT to the product ignored.
     */
    public static boolean ignoresSignal(long pid, int signal) {
        long mask = Long.parseUnsignedLong(statusField(pid, "SigIgn").trim(), 16);
        return (mask & (1L << (signal - 1))) != 0;
    }

    private static String statusField(long pid, String name) {
        Path status = PROC.resolve(Long.toString(pid)).resolve("status");
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith(name + ":")) {
                    return line.substring(name.length() + 1);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + status + ": " + e, e);
        }
        throw new IllegalStateException("no " + name + " line in " + status);
    }

    /** Link targets of {@code pid}'s open descriptors, e.g. {@code socket:[1234]} or a path. */
    public static List<String> fds(long pid) {
        Path fdDir = PROC.resolve(Long.toString(pid)).resolve("fd");
        List<String> targets = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fdDir)) {
            for (Path fd : entries) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (NoSuchFileException e) {
                    // Closed while we listed; among them the directory stream's own descriptor.
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + fdDir + ": " + e, e);
        }
        return targets;
    }

    /**
     * Sends a signal by name ({@code "TERM"}, {@code "USR1"}, ...) with the shell's {@code kill}.
     * {@link ProcessHandle} can only send TERM and KILL.
     */
    public static void signal(long pid, String signalName) {
        if (!SIGNAL_NAME.matcher(signalName).matches()) {
            throw new IllegalArgumentException("signal name '" + signalName
                    + "' is not an upper-case name like TERM or USR1");
        }
        ProcessBuilder kill = new ProcessBuilder("/bin/sh", "-c", "kill -s \"$1\" \"$2\"", "kill",
                signalName, Long.toString(pid))
                .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()))
                .redirectErrorStream(true);
        try {
            Process process = kill.start();
            // kill's output is a line at most: it fits the pipe, so reading after the wait is safe.
            if (!process.waitFor(KILL_COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("kill -s " + signalName + " " + pid + " did not return within "
                        + KILL_COMMAND_TIMEOUT);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + signalName + " " + pid + " failed (exit "
                        + process.exitValue() + "): " + output.trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pid, e);
        }
    }

    /** As {@link #signal}, but a child that has exited meanwhile is not an error. */
    public static void signalIfAlive(Process child, String signalName) {
        try {
            signal(child.pid(), signalName);
        } catch (IllegalStateException e) {
            if (child.isAlive()) {
                throw e;
            }
        }
    }

    /** Waits until none of {@code processes} runs any more; returns those still running at the deadline. */
    public static List<ProcInfo> awaitGone(Collection<ProcInfo> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcInfo> running = stillRunning(processes);
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            sleepPoll();
            running = stillRunning(processes);
        }
        return running;
    }

    private static List<ProcInfo> stillRunning(Collection<ProcInfo> processes) {
        return processes.stream().filter(ProcessTree::isAlive).collect(Collectors.toList());
    }

    /** SIGKILLs each of {@code processes} that still runs; cleanup after a failed assertion. */
    public static void killAll(Collection<ProcInfo> processes) {
        for (ProcInfo p : processes) {
            if (isAlive(p)) {
                ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Processes whose environment holds {@code name=value}: finds orphans that left our tree. */
    public static List<ProcInfo> withEnvironment(String name, String value) {
        byte[] wanted = (name + "=" + value).getBytes(StandardCharsets.UTF_8);
        List<ProcInfo> result = new ArrayList<>();
        for (ProcInfo p : all()) {
            try {
                byte[] environ = Files.readAllBytes(PROC.resolve(Long.toString(p.pid())).resolve("environ"));
                if (containsEntry(environ, wanted)) {
                    result.add(p);
                }
            } catch (IOException e) {
                // Exited meanwhile, or not ours to read: either way not one of our processes.
            }
        }
        return result;
    }

    private static boolean containsEntry(byte[] environ, byte[] entry) {
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start == entry.length
                        && Arrays.equals(environ, start, i, entry, 0, entry.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Fails when {@code pid} has any descendant, listing each (pid, comm, state, cmdline). */
    public static void assertNoDescendants(long pid) {
        List<ProcInfo> left = descendants(pid);
        if (!left.isEmpty()) {
            Assertions.fail(left.size() + " process(es) left under pid " + pid + ":\n" + describeAll(left));
        }
    }

    /** Fails when any descendant of {@code pid} is a zombie, listing each. */
    public static void assertNoZombiesUnder(long pid) {
        List<ProcInfo> zombies = descendants(pid).stream().filter(ProcInfo::isZombie)
                .collect(Collectors.toList());
        if (!zombies.isEmpty()) {
            Assertions.fail(zombies.size() + " unreaped zombie(s) under pid " + pid + ":\n"
                    + describeAll(zombies));
        }
    }

    /** One {@link ProcInfo#describe()} line per process, indented. */
    public static String describeAll(Collection<ProcInfo> processes) {
        return processes.stream().map(p -> "  " + p.describe()).collect(Collectors.joining("\n"));
    }

    /** Pids of {@code processes}, for messages and set comparisons. */
    public static Set<Long> pids(Collection<ProcInfo> processes) {
        return processes.stream().map(ProcInfo::pid).collect(Collectors.toSet());
    }

    /** Sleeps one polling interval: for loops that wait for a process or a file to appear or go. */
    public static void sleepPoll() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
