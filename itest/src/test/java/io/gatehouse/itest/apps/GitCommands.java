package io.gatehouse.itest.apps;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gatehouse.itest.support.Peers;
import org.junit.jupiter.api.Assertions;

/**
 * Runs the real {@code git} for the tests: to build a repository with fixed authors and dates (so
 * every run has the same commit ids) and to clone it over HTTP. {@code HOME} and the system config
 * are kept out, so nothing of the machine's git set-up changes what happens.
 *
 * <p>Stateless and thread-safe.
 */
final class GitCommands {

    /** A clone of a few commits over loopback takes well under a second. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String FIXED_DATE = "2024-01-02T03:04:05Z";

    private GitCommands() {
    }

    /** {@code git <args>} in {@code workDir}; fails with git's output on a non-zero exit. Returns stdout. */
    static String run(Path workDir, Path home, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Peers.require("git").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_AUTHOR_NAME", "Test Author");
        env.put("GIT_AUTHOR_EMAIL", "author@example.org");
        env.put("GIT_COMMITTER_NAME", "Test Author");
        env.put("GIT_COMMITTER_EMAIL", "author@example.org");
        env.put("GIT_AUTHOR_DATE", FIXED_DATE);
        env.put("GIT_COMMITTER_DATE", FIXED_DATE);
        try {
            Path out = Files.createTempFile(home, "git", ".out");
            Path err = Files.createTempFile(home, "git", ".err");
            try {
                Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    Assertions.fail(command + " still running after " + TIMEOUT + " (killed)");
                }
                if (process.exitValue() != 0) {
                    Assertions.fail(command + " exited with " + process.exitValue() + ": "
                            + Files.readString(err, StandardCharsets.UTF_8));
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }
}
