package io.gatehouse.itest.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import org.junit.jupiter.api.Assertions;

/**
 * A private php-fpm master with one static pool {@code [gh]} listening on a unix socket in its
 * own temp directory, for tests that proxy to an externally managed FastCGI backend.
 *
 * <p>The directory holds {@code php-fpm.conf}, {@code fpm.sock}, {@code fpm.pid} and the logs
 * ({@code fpm.log}: master and worker output; {@code php-error.log}; {@code fpm-stdout.log}).
 * {@link #start} returns once the socket accepts and all workers run. {@link #close} stops the
 * master gracefully (SIGQUIT, then SIGKILL), fails if any worker outlives it and deletes the
 * directory. The pool runs with a minimal environment so that {@code env.php} output does not
 * depend on the test runner's environment; {@code post_max_size} is lifted for upload tests.
 *
 * <p>Not thread-safe: one test thread starts, uses and closes it; the accessors may be read from
 * any thread.
 */
public final class PhpFpmPool implements AutoCloseable {

    /** php-fpm starts in well under a second; ten leaves room for a loaded CI machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    /** How long workers get to react to the master's stop signal before it escalates. */
    private static final int PROCESS_CONTROL_TIMEOUT_SECONDS = 3;
    /** SIGQUIT lets workers finish requests; the master escalates after the control timeout twice. */
    private static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(4 * PROCESS_CONTROL_TIMEOUT_SECONDS);
    /** After SIGKILL the kernel needs only a moment. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    /** Upper bound for {@code pm.max_children}: tests need a few, the machine has few cores. */
    private static final int MAX_CHILDREN_LIMIT = 64;
    private static final String MINIMAL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path dir;
    private final Process master;
    private final int maxChildren;
    private boolean closed;

    private PhpFpmPool(Path dir, Process master, int maxChildren) {
        this.dir = dir;
        this.master = master;
        this.maxChildren = maxChildren;
    }

    /** Starts a pool of {@code maxChildren} static workers without a request time limit. */
    public static PhpFpmPool start(int maxChildren) {
        return start(maxChildren, Duration.ZERO);
    }

    /**
     * Starts a pool of {@code maxChildren} static workers; a positive {@code requestTerminateTimeout}
     * (whole seconds) makes php-fpm kill a worker whose request runs longer.
     */
    public static PhpFpmPool start(int maxChildren, Duration requestTerminateTimeout) {
        return start(maxChildren, requestTerminateTimeout, List.of());
    }

    /**
     * As {@link #start(int, Duration)}, with {@code extraPoolLines} appended to the pool section
     * (e.g. {@code php_admin_value[memory_limit] = 64M}).
     */
    public static PhpFpmPool start(int maxChildren, Duration requestTerminateTimeout, List<String> extraPoolLines) {
        if (maxChildren < 1 || maxChildren > MAX_CHILDREN_LIMIT) {
            throw new IllegalArgumentException("pm.max_children " + maxChildren + " outside 1.."
                    + MAX_CHILDREN_LIMIT);
        }
        Path binary = Peers.require("php-fpm");
        Path dir = TempDirs.create("gh-fpm");
        Process process = null;
        try {
            boolean root = runningAsRoot();
            Path conf = dir.resolve("php-fpm.conf");
            Files.writeString(conf, config(dir, maxChildren, requestTerminateTimeout, root, extraPoolLines));
            List<String> command = new ArrayList<>(List.of(binary.toString(), "-F", "-y", conf.toString()));
            if (root) {
                command.add("-R");
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("fpm-stdout.log").toFile());
            Map<String, String> env = builder.environment();
            env.clear();
            env.put("PATH", MINIMAL_PATH);
            env.put("LANG", "C");
            process = builder.start();
            PhpFpmPool pool = new PhpFpmPool(dir, process, maxChildren);
            pool.awaitReady();
            return pool;
        } catch (IOException | RuntimeException | AssertionError e) {
            String tail = LogFiles.tail(logFiles(dir));
            abort(process);
            TempDirs.deleteRecursively(dir);
            throw new AssertionError("php-fpm failed to start: " + e.getMessage() + "\n" + tail, e);
        }
    }

    private static String config(Path dir, int maxChildren, Duration requestTerminateTimeout, boolean root,
            List<String> extraPoolLines) {
        StringBuilder conf = new StringBuilder();
        conf.append("[global]\n")
                .append("error_log = ").append(dir.resolve("fpm.log")).append('\n')
                .append("pid = ").append(dir.resolve("fpm.pid")).append('\n')
                .append("daemonize = no\n")
                .append("process_control_timeout = ").append(PROCESS_CONTROL_TIMEOUT_SECONDS).append("s\n")
                .append("\n[gh]\n")
                .append("listen = ").append(dir.resolve("fpm.sock")).append('\n')
                .append("pm = static\n")
                .append("pm.max_children = ").append(maxChildren).append('\n')
                .append("clear_env = no\n")
                .append("catch_workers_output = yes\n")
                .append("php_admin_value[error_log] = ").append(dir.resolve("php-error.log")).append('\n')
                .append("php_admin_flag[log_errors] = on\n")
                .append("php_admin_value[post_max_size] = 0\n");
        if (root) {
            // php-fpm refuses to run workers as root unless told twice: here and with -R.
            conf.append("user = root\ngroup = root\n");
        }
        if (requestTerminateTimeout.compareTo(Duration.ZERO) > 0) {
            long seconds = Math.max(1, requestTerminateTimeout.toSeconds());
            conf.append("request_terminate_timeout = ").append(seconds).append("s\n");
        }
        extraPoolLines.forEach(line -> conf.append(line).append('\n'));
        return conf.toString();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!master.isAlive()) {
                Assertions.fail("php-fpm exited during start with status " + master.exitValue());
            }
            if (accepts(socketPath()) && workerPids().size() >= maxChildren) {
                return;
            }
            if (System.nanoTime() > deadline) {
                Assertions.fail("php-fpm not ready within " + START_TIMEOUT + ": socket "
                        + socketPath() + (Files.exists(socketPath()) ? " exists" : " missing")
                        + ", workers " + workerPids() + " of " + maxChildren);
            }
            ProcessTree.sleepPoll();
        }
    }

    private static boolean accepts(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return channel.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /** The pool's listening socket. */
    public Path socketPath() {
        return dir.resolve("fpm.sock");
    }

    /** The pool's temp directory (config, socket, logs); gone after {@link #close}. */
    public Path directory() {
        return dir;
    }

    public long masterPid() {
        return master.pid();
    }

    /** Pids of the running workers (children of the master), ascending. */
    public List<Long> workerPids() {
        return ProcessTree.children(master.pid()).stream()
                .filter(p -> !p.isZombie())
                .map(ProcInfo::pid)
                .sorted()
                .toList();
    }

    /** Everything php-fpm and PHP have logged so far. */
    public String log() {
        StringBuilder out = new StringBuilder();
        for (Path file : logFiles(dir)) {
            out.append(LogFiles.read(file));
        }
        return out.toString();
    }

    private static List<Path> logFiles(Path dir) {
        return List.of(dir.resolve("fpm-stdout.log"), dir.resolve("fpm.log"), dir.resolve("php-error.log"));
    }

    /**
     * Stops the master with SIGQUIT (SIGKILL if it hangs), then fails if a worker is left or the
     * directory could not be deleted. Leftovers are killed before failing, so nothing outlives
     * the test. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> problems = new ArrayList<>();
        List<ProcInfo> workers = ProcessTree.descendants(master.pid());
        if (master.isAlive()) {
            ProcessTree.signalIfAlive(master, "QUIT");
            if (!waitFor(master, GRACEFUL_STOP_TIMEOUT)) {
                problems.add("php-fpm master " + master.pid() + " ignored SIGQUIT for "
                        + GRACEFUL_STOP_TIMEOUT + "; killed it");
                workers = ProcessTree.descendants(master.pid());
                abort(master);
            }
        }
        List<ProcInfo> left = ProcessTree.awaitGone(workers, KILL_TIMEOUT);
        if (!left.isEmpty()) {
            problems.add("php-fpm workers outlived the master:\n" + ProcessTree.describeAll(left));
            ProcessTree.killAll(left);
            ProcessTree.awaitGone(left, KILL_TIMEOUT);
        }
        String tail = problems.isEmpty() ? "" : LogFiles.tail(logFiles(dir));
        try {
            TempDirs.deleteRecursively(dir);
        } catch (UncheckedIOException e) {
            problems.add(e.getMessage() + ": " + e.getCause());
        }
        if (!problems.isEmpty()) {
            Assertions.fail(String.join("\n", problems) + "\n" + tail);
        }
    }

    private static void abort(Process process) {
        if (process == null) {
            return;
        }
        List<ProcInfo> children = ProcessTree.descendants(process.pid());
        process.destroyForcibly();
        waitFor(process, KILL_TIMEOUT);
        ProcessTree.killAll(children);
        ProcessTree.awaitGone(children, KILL_TIMEOUT);
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("no Uid line in /proc/self/status");
    }
}
