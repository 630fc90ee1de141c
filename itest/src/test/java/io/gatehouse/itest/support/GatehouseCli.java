package io.gatehouse.itest.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import org.junit.jupiter.api.Assertions;

/**
 * One run of the built jar's command line that is expected to end by itself ({@code -v},
 * {@code -t}, a config that fails to start...): stdout and stderr are captured apart, the exit
 * code is returned, and the run fails if the process outlives its time limit or if anything it
 * started is still running after it exited (found by {@link GatehouseProcess#RUN_MARKER}).
 *
 * <p>Stateless and thread-safe: each call has its own temp directory, deleted before returning.
 */
public final class GatehouseCli {

    /** A JVM start, a config parse and a preflight take about a second; a loaded machine several. */
    public static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);
    /** What outlived the run gets this long to vanish before it counts as left behind. */
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

    private GatehouseCli() {
    }

    /** What one run printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {

        /** Everything the run said, for failure messages. */
        public String describe() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    /** Runs {@code java -jar gatehouse.jar <args>} in {@code /tmp} with {@link #RUN_TIMEOUT}. */
    public static Result run(String... args) {
        return run(List.of(args), Path.of("/tmp"), RUN_TIMEOUT);
    }

    /**
     * Runs {@code java -jar gatehouse.jar <args>} in {@code workDir}, standard input from
     * {@code /dev/null}; fails if it does not exit within {@code timeout} or leaves a process behind.
     */
    public static Result run(List<String> args, Path workDir, Duration timeout) {
        return run(GatehouseProcess.command(GatehouseProcess.jar(), List.of(), args), Map.of(), workDir, args,
                timeout);
    }

    /** As {@link #run(List, Path, Duration)}, with JVM options placed before {@code -jar}. */
    public static Result run(List<String> jvmOptions, List<String> args, Path workDir, Duration timeout) {
        return run(GatehouseProcess.command(GatehouseProcess.jar(), jvmOptions, args), Map.of(), workDir, args,
                timeout);
    }

    /**
     * Runs {@code bin/gatehouse -D -f <conf>} as users start it, with extra environment variables,
     * in the directory of {@code conf}, expecting it to end by itself (a start that must fail);
     * fails if it runs past {@link #RUN_TIMEOUT} or leaves a process behind.
     */
    public static Result runWithLauncher(Path conf, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(GatehouseProcess.launcherEnvironment());
        env.putAll(environment);
        return run(GatehouseProcess.launcherCommand(conf), env, conf.toAbsolutePath().getParent(),
                List.of("-D", "-f", conf.toString()), RUN_TIMEOUT);
    }

    private static Result run(List<String> command, Map<String, String> environment, Path workDir, List<String> args,
            Duration timeout) {
        Path dir = TempDirs.create("gh-cli");
        try {
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            String marker = UUID.randomUUID().toString();
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            builder.environment().put(GatehouseProcess.RUN_MARKER, marker);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                List<ProcInfo> tree = new ArrayList<>(ProcessTree.descendants(process.pid()));
                process.destroyForcibly();
                process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                ProcessTree.killAll(tree);
                ProcessTree.awaitGone(tree, KILL_TIMEOUT);
                Assertions.fail("gatehouse " + args + " still running after " + timeout + " (killed)\n"
                        + LogFiles.tail(List.of(out, err)));
            }
            Result result = new Result(process.exitValue(), LogFiles.read(out), LogFiles.read(err));
            assertNothingLeft(marker, args, result);
            return result;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    private static void assertNothingLeft(String marker, List<String> args, Result result) {
        List<ProcInfo> left = ProcessTree.awaitGone(ProcessTree.withEnvironment(GatehouseProcess.RUN_MARKER, marker),
                SETTLE_TIMEOUT);
        if (!left.isEmpty()) {
            ProcessTree.killAll(left);
            ProcessTree.awaitGone(left, KILL_TIMEOUT);
            Assertions.fail("gatehouse " + args + " exited but left processes running (now killed):\n"
                    + ProcessTree.describeAll(left) + "\n" + result.describe());
        }
    }
}
