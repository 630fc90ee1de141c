package io.gatehouse.core.internal.log;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The error log: one line per event, {@code 2026-11-21 19:11:39: (source) message}, as lighttpd
 * writes it, to {@code server.errorlog} or stderr.
 *
 * <p>Thread-safe: lines from concurrent threads never interleave. {@link #reopen()} supports
 * rotation (the file is opened again by name).
 */
public final class ErrorLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Optional<Path> file;
    private final PrintStream stderr;
    private OutputStream out;

    private ErrorLog(Optional<Path> file, PrintStream stderr) throws IOException {
        this.file = file;
        this.stderr = stderr;
        this.out = open();
    }

    /** A log writing to {@code file}, or to stderr when it is empty. */
    public static ErrorLog open(Optional<Path> file) throws IOException {
        return new ErrorLog(file, System.err);
    }

    /** A log writing to stderr only. */
    public static ErrorLog stderr() {
        try {
            return new ErrorLog(Optional.empty(), System.err);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private OutputStream open() throws IOException {
        if (file.isEmpty()) {
            return stderr;
        }
        return Files.newOutputStream(file.get(), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
    }

    public void info(String source, String message) {
        write(source, message);
    }

    public void warn(String source, String message) {
        write(source, "WARNING: " + message);
    }

    public void error(String source, String message) {
        write(source, "ERROR: " + message);
    }

    private void write(String source, String message) {
        String line = TIME.format(LocalDateTime.now()) + ": (" + source + ") " + message + "\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                // The log itself failed: stderr is the last place left to say so.
                stderr.print(line);
            }
        }
    }

    /** Opens the file again by name (after logrotate moved it away). No-op for stderr. */
    public synchronized void reopen() throws IOException {
        if (file.isEmpty()) {
            return;
        }
        OutputStream old = out;
        out = open();
        old.close();
    }

    public synchronized void close() {
        if (file.isPresent()) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing at shutdown: nothing left to report to
            }
        }
    }
}
