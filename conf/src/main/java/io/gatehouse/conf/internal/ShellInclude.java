package io.gatehouse.conf.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gatehouse.conf.ConfigException;
import io.gatehouse.conf.SourceLocation;

/**
 * Runs the command of an {@code include_shell} through {@code /bin/sh -c} in the main config file's
 * directory with the config's environment, and returns what it printed. Output goes to temporary
 * files rather than pipes so a command that hangs can be timed out without a reader thread.
 *
 * <p>Stateless; thread-safe.
 */
public final class ShellInclude {

    /** A config generator that has not finished by then is hung; startup must not wait forever. */
    public static final long TIMEOUT_SECONDS = 60;

    /** Generated config is held to the size of a config file; more is a runaway command. */
    public static final long MAX_OUTPUT_BYTES = ConfigFileReader.MAX_FILE_BYTES;

    /** How often the output files are measured: a runaway command is stopped after at most this. */
    private static final long POLL_MILLIS = 10;

    private static final int STDERR_CHARS_IN_MESSAGE = 200;

    private ShellInclude() {
    }

    /** Runs {@code command} and returns its standard output, decoded as UTF-8. */
    public static String run(String command, Path directory, Map<String, String> environment, SourceLocation at)
            throws ConfigException {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("gh-sh");
            Path out = scratch.resolve("out");
            Path err = scratch.resolve("err");
            ProcessBuilder builder = new ProcessBuilder(List.of("/bin/sh", "-c", command))
                    .directory(directory.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                long printed = Math.max(Files.size(out), Files.size(err));
                if (printed > MAX_OUTPUT_BYTES) {
                    stop(process);
                    throw tooMuchOutput(command, printed, at);
                }
                if (System.nanoTime() > deadline) {
                    stop(process);
                    throw new ConfigException(at, "include_shell " + Token.quote(command) + " did not finish within "
                            + TIMEOUT_SECONDS + " s, expected a command that prints config and exits");
                }
            }
            int status = process.exitValue();
            if (status != 0) {
                throw new ConfigException(at, "include_shell " + Token.quote(command) + " exited with status "
                        + status + stderrSummary(err) + ", expected status 0");
            }
            byte[] printed;
            try (var in = Files.newInputStream(out)) {
                // Bounded: a background child of the command may still be writing.
                printed = in.readNBytes((int) MAX_OUTPUT_BYTES + 1);
            }
            if (printed.length > MAX_OUTPUT_BYTES) {
                throw tooMuchOutput(command, printed.length, at);
            }
            return new String(printed, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(at, "include_shell " + Token.quote(command) + " could not run: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException(at, "include_shell " + Token.quote(command) + " was interrupted", e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    private static void stop(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    private static ConfigException tooMuchOutput(String command, long printed, SourceLocation at) {
        return new ConfigException(at, "include_shell " + Token.quote(command) + " printed " + printed
                + " bytes, more than the limit of " + MAX_OUTPUT_BYTES + ", expected a command that prints a config");
    }

    private static String stderrSummary(Path err) throws IOException {
        byte[] bytes;
        try (var in = Files.newInputStream(err)) {
            bytes = in.readNBytes(STDERR_CHARS_IN_MESSAGE * 4);
        }
        String text = new String(bytes, StandardCharsets.UTF_8)
                .strip().replace('\n', ' ');
        if (text.isEmpty()) {
            return "";
        }
        return " (stderr: " + (text.length() > STDERR_CHARS_IN_MESSAGE ? text.substring(0, STDERR_CHARS_IN_MESSAGE)
                + "..." : text) + ")";
    }

    private static void deleteQuietly(Path scratch) {
        if (scratch == null) {
            return;
        }
        for (String name : List.of("out", "err")) {
            try {
                Files.deleteIfExists(scratch.resolve(name));
            } catch (IOException ignored) {
                // A leftover temp file is harmless; the config result matters more.
            }
        }
        try {
            Files.deleteIfExists(scratch);
        } catch (IOException ignored) {
            // As above.
        }
    }
}
