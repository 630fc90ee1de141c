package io.gatehouse.itest.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Assertions;

/**
 * Reads the log files of processes under test, so that a failure message can show what the
 * process said before it failed.
 *
 * <p>Stateless and thread-safe; a file being written concurrently is read as far as it goes.
 */
public final class LogFiles {

    /** Lines of a log shown in a failure message: enough for a stack trace, short enough to read. */
    public static final int TAIL_LINES = 40;

    private LogFiles() {
    }

    /** The whole file, or an empty string when it does not exist (yet). */
    public static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "<cannot read " + file + ": " + e + ">";
        }
    }

    /** The last {@link #TAIL_LINES} lines of each file, each block headed by the file name. */
    public static String tail(List<Path> files) {
        StringBuilder out = new StringBuilder();
        for (Path file : files) {
            String[] lines = read(file).split("\n", -1);
            int from = Math.max(0, lines.length - TAIL_LINES);
            out.append("--- tail of ").append(file).append(" ---\n")
                    .append(String.join("\n", Arrays.copyOfRange(lines, from, lines.length)).strip())
                    .append('\n');
        }
        return out.toString();
    }

    /**
     * Waits until {@code file} holds {@code text}; fails the test after {@code timeout}, showing
     * the file and {@code context} (a process's own output, say).
     */
    public static void await(Path file, String text, Duration timeout, Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!read(file).contains(text)) {
            if (System.nanoTime() > deadline) {
                Assertions.fail("no \"" + text + "\" in " + file + " after " + timeout + ":\n" + read(file) + "\n"
                        + context.get());
            }
            Thread.sleep(20);
        }
    }
}
