package io.gatehouse.itest.support;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import org.junit.jupiter.api.Assertions;

/**
 * The built product, {@code java -jar proxy-core/target/gatehouse.jar -D -f <conf>} (or any other
 * arguments, and extra JVM options), as a child
 * process of the test: output goes to a log file in a temp directory of its own, {@link #start}
 * returns once the given port on 127.0.0.1 accepts, and {@link #close} stops it (SIGTERM, then
 * SIGKILL) and fails if any process it spawned outlives it.
 *
 * <p>To find what it spawned even after it dies, every process started carries the environment
 * variable {@value #RUN_MARKER} with a value unique to this instance (backends inherit it unless
 * their environment is filtered), and its descendants are snapshotted just before it is stopped.
 *
 * <p>Not thread-safe for start and close; {@link #pid()}, {@link #log()}, {@link #signal} and
 * {@link #isAlive()} may be called from any thread.
 */
public final class GatehouseProcess implements AutoCloseable {

    /** Environment variable that marks every process of one instance, to find orphans. */
    public static final String RUN_MARKER = "GATEHOUSE_ITEST_RUN";
    /** A JVM start plus jnr-ffi's first use takes 1-2 s; a loaded CI machine may take several times that. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** SIGTERM stops backends with kill-timeout (default 5 s) before the product exits: allow twice that. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(12);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    /** The same line works on JDK 17 and 25: keeps JDK 25's native-access warnings out of the log. */
    private static final List<String> JVM_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
    private static final Set<String> SIGNALS = Set.of("USR1", "USR2", "INT", "TERM", "HUP", "QUIT", "KILL");
    /** Walking up from the working directory to the repo root never needs more levels than this. */
    private static final int MAX_PARENT_LEVELS = 8;

    private final Process process;
    private final Path dir;
    private final Path logFile;
    private final String marker;
    private boolean closed;

    private GatehouseProcess(Process process, Path dir, Path logFile, String marker) {
        this.process = process;
        this.dir = dir;
        this.logFile = logFile;
        this.marker = marker;
    }

    /** Starts the built jar with {@code conf} and waits until 127.0.0.1:{@code port} accepts. */
    public static GatehouseProcess start(Path conf, int port) {
        return start(jar(), conf, port, START_TIMEOUT);
    }

    /**
     * As {@link #start(Path, int)}, with extra JVM options (e.g. {@code -Xmx64m}) placed before
     * {@code -jar}.
     */
    public static GatehouseProcess start(Path conf, int port, List<String> jvmOptions) {
        return start(jar(), jvmOptions, List.of("-D", "-f", conf.toAbsolutePath().toString()),
                conf.toAbsolutePath().getParent(), port, START_TIMEOUT);
    }

    /**
     * Starts the built jar with the given JVM options, command-line arguments (none: the embedded
     * default) and extra environment variables in {@code workDir} and waits until
     * 127.0.0.1:{@code port} accepts.
     */
    public static GatehouseProcess startWithArgs(List<String> jvmOptions, List<String> args, Path workDir,
            int port, Map<String, String> environment) {
        return launch(command(jar(), jvmOptions, args), environment, workDir, port, START_TIMEOUT);
    }

    /**
     * Starts {@code java -jar <jar> -D -f <conf>} in the directory of {@code conf} and waits up to
     * {@code timeout} until 127.0.0.1:{@code port} accepts. If the process exits first or the
     * time runs out, fails with the tail of its log.
     */
    public static GatehouseProcess start(Path jar, Path conf, int port, Duration timeout) {
        return start(jar, List.of(), List.of("-D", "-f", conf.toAbsolutePath().toString()),
                conf.toAbsolutePath().getParent(), port, timeout);
    }

    /**
     * Starts {@code java <jvmOptions> -jar <jar> <args>} in {@code workDir} and waits up to
     * {@code timeout} until 127.0.0.1:{@code port} accepts; fails with the log tail otherwise.
     */
    public static GatehouseProcess start(Path jar, List<String> jvmOptions, List<String> args, Path workDir,
            int port, Duration timeout) {
        return launch(command(jar, jvmOptions, args), Map.of(), workDir, port, timeout);
    }

    /**
     * Starts {@code bin/gatehouse -D -f <conf>}, the launcher users start gatehouse with (its heap
     * and GC settings), with this JVM's java, and waits until 127.0.0.1:{@code port} accepts.
     */
    public static GatehouseProcess startWithLauncher(Path conf, int port) {
        return startWithLauncher(conf, port, Map.of());
    }

    /** As {@link #startWithLauncher(Path, int)}, with extra environment variables (RUNTIME_DIRECTORY...). */
    public static GatehouseProcess startWithLauncher(Path conf, int port, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(launcherEnvironment());
        env.putAll(environment);
        return launch(launcherCommand(conf), env, conf.toAbsolutePath().getParent(), port, START_TIMEOUT);
    }

    /** {@code bin/gatehouse -D -f <conf>}; fails when the jar it runs is not built. */
    static List<String> launcherCommand(Path conf) {
        if (!Files.isRegularFile(jar())) {
            Assertions.fail("gatehouse jar not found at " + jar() + ": run mvn package first");
        }
        return List.of(repoRoot().resolve("bin/gatehouse").toString(), "-D", "-f", conf.toAbsolutePath().toString());
    }

    /** What {@code bin/gatehouse} is told: this JVM's java, the built jar, no class-data archive. */
    static Map<String, String> launcherEnvironment() {
        return Map.of(
                "GATEHOUSE_JAVA", Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "GATEHOUSE_JAR", jar().toString(),
                // No class-data archive written next to the build's jar by a test run.
                "GATEHOUSE_CDS", "off");
    }

    /**
     * Starts another server, {@code command} in {@code workDir} (a peer that gatehouse is compared
     * with, such as lighttpd), under the same supervision: its output goes to the log, it is
     * stopped with SIGTERM, and {@link #close} fails if a process it spawned outlives it.
     */
    public static GatehouseProcess startCommand(List<String> command, Path workDir, int port) {
        return launch(command, Map.of(), workDir, port, START_TIMEOUT);
    }

    private static GatehouseProcess launch(List<String> command, Map<String, String> env, Path workDir, int port,
            Duration timeout) {
        Path dir = TempDirs.create("gh-run");
        Path logFile = dir.resolve("gatehouse.log");
        String marker = UUID.randomUUID().toString();
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().putAll(env);
        builder.environment().put(RUN_MARKER, marker);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            TempDirs.deleteRecursively(dir);
            throw new AssertionError("cannot start " + command + ": " + e, e);
        }
        GatehouseProcess gatehouse = new GatehouseProcess(process, dir, logFile, marker);
        try {
            gatehouse.awaitPort(port, timeout);
        } catch (AssertionError e) {
            gatehouse.closeQuietly(e);
            throw e;
        }
        return gatehouse;
    }

    /**
     * {@code java <JDK-quieting options> <jvmOptions> -jar <jar> <args>}; fails naming the build
     * command when the jar is missing.
     */
    static List<String> command(Path jar, List<String> jvmOptions, List<String> args) {
        if (!Files.isRegularFile(jar)) {
            Assertions.fail("gatehouse jar not found at " + jar + ": run mvn package first"
                    + " (mvn -B package -DskipTests in " + repoRoot() + ")");
        }
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        return command;
    }

    private void awaitPort(int port, Duration timeout) {
        awaitPort(process, "gatehouse", port, timeout, this::logTail);
    }

    /**
     * Waits until 127.0.0.1:{@code port} accepts; fails with {@code logTail} when {@code process}
     * (called {@code name} in the message) exits first or {@code timeout} passes.
     */
    static void awaitPort(Process process, String name, int port, Duration timeout, Supplier<String> logTail) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                Assertions.fail(name + " exited during start with status " + process.exitValue()
                        + "\n" + logTail.get());
            }
            if (accepts(port)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                Assertions.fail(name + " did not accept on 127.0.0.1:" + port + " within " + timeout
                        + "\n" + logTail.get());
            }
            ProcessTree.sleepPoll();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The repo root: the nearest directory at or above {@code user.dir} that holds {@code proxy-core/}. */
    public static Path repoRoot() {
        Path start = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        Path dir = start;
        for (int level = 0; dir != null && level <= MAX_PARENT_LEVELS; level++, dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("proxy-core"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory with proxy-core/ at or above " + start);
    }

    /** {@code <repo>/proxy-core/target/gatehouse.jar}, whether it exists or not. */
    public static Path jar() {
        return repoRoot().resolve("proxy-core").resolve("target").resolve("gatehouse.jar");
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process has written to stdout and stderr so far. */
    public String log() {
        return LogFiles.read(logFile);
    }

    /** The last lines of the log, headed by its path: for failure messages. */
    public String logTail() {
        return LogFiles.tail(List.of(logFile));
    }

    /** Sends {@code USR1}, {@code INT}, {@code TERM}, {@code HUP} (or USR2, QUIT, KILL). */
    public void signal(String name) {
        if (!SIGNALS.contains(name)) {
            throw new IllegalArgumentException("signal '" + name + "' not one of " + SIGNALS);
        }
        if (!process.isAlive()) {
            Assertions.fail("cannot send " + name + ": gatehouse already exited with status "
                    + process.exitValue() + "\n" + logTail());
        }
        ProcessTree.signal(process.pid(), name);
    }

    /** Waits for the process to exit and returns its status; fails with the log tail on timeout. */
    public int waitForExit(Duration timeout) {
        if (!waitFor(process, timeout)) {
            Assertions.fail("gatehouse " + process.pid() + " still running after " + timeout + "\n" + logTail());
        }
        return process.exitValue();
    }

    /**
     * Stops the process (SIGTERM, SIGKILL after {@link #STOP_TIMEOUT}), then fails if it needed
     * SIGKILL or if anything it spawned is still running; leftovers are killed first. Deletes
     * the log directory. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> problems = stop();
        String tail = problems.isEmpty() ? "" : logTail();
        TempDirs.deleteRecursively(dir);
        if (!problems.isEmpty()) {
            Assertions.fail(String.join("\n", problems) + "\n" + tail);
        }
    }

    private void closeQuietly(AssertionError cause) {
        closed = true;
        for (String problem : stop()) {
            cause.addSuppressed(new AssertionError(problem));
        }
        TempDirs.deleteRecursively(dir);
    }

    private List<String> stop() {
        List<String> problems = new ArrayList<>();
        List<ProcInfo> spawned = ProcessTree.descendants(process.pid());
        if (process.isAlive()) {
            ProcessTree.signalIfAlive(process, "TERM");
            if (!waitFor(process, STOP_TIMEOUT)) {
                spawned = ProcessTree.descendants(process.pid());
                problems.add("gatehouse " + process.pid() + " still running " + STOP_TIMEOUT
                        + " after SIGTERM; killed it");
                process.destroyForcibly();
                waitFor(process, KILL_TIMEOUT);
            }
        }
        List<ProcInfo> left = new ArrayList<>(ProcessTree.awaitGone(spawned, KILL_TIMEOUT));
        for (ProcInfo p : ProcessTree.withEnvironment(RUN_MARKER, marker)) {
            if (p.pid() != process.pid() && !p.isZombie() && !ProcessTree.pids(left).contains(p.pid())) {
                left.add(p);
            }
        }
        if (!left.isEmpty()) {
            problems.add("processes spawned by gatehouse outlived it (now killed):\n" + ProcessTree.describeAll(left));
            ProcessTree.killAll(left);
            ProcessTree.awaitGone(left, KILL_TIMEOUT);
        }
        return problems;
    }

    /** Waits up to {@code timeout} for {@code process} to exit; false when it still runs (or on interrupt). */
    static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
