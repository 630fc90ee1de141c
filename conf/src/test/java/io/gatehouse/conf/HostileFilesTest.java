package io.gatehouse.conf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.gatehouse.conf.internal.ConfigFileReader;
import io.gatehouse.conf.internal.Glob;
import io.gatehouse.conf.internal.ParseBudget;
import io.gatehouse.conf.internal.ShellInclude;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Config files an attacker (or a slip of the operator's hand) points gatehouse at: devices, FIFOs,
 * directories, huge files, runaway include_shell commands and globs. Each must be a
 * {@link ConfigException} naming {@code file:line:col}, quickly, within the launcher's 96 MiB heap
 * (this module's tests run with it), never an OutOfMemoryError or a hang.
 */
class HostileFilesTest {

    private static final Duration QUICKLY = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path main;

    @BeforeEach
    void mainFile() {
        main = dir.resolve("main.conf");
    }

    /** The error parsing a main file of {@code text}, which must come quickly. */
    private String mainError(String text) throws IOException {
        Files.writeString(main, text);
        return error(main);
    }

    private static String error(Path file) {
        return assertTimeoutPreemptively(QUICKLY, () -> assertThrows(ConfigException.class,
                () -> ConfigParser.parse(file, Map.of())).getMessage());
    }

    @Test
    void includeOfDevZeroIsAConfigErrorNotAnOutOfMemory() throws IOException {
        assertEquals(main + ":2:1: cannot read config file /dev/zero: it is a character device,"
                + " expected a regular file", mainError("server.tag = \"x\"\ninclude \"/dev/zero\"\n"));
    }

    @Test
    void includeOfDevUrandomIsAConfigErrorNotAnOutOfMemory() throws IOException {
        assertEquals(main + ":1:3: cannot read config file /dev/urandom: it is a character device,"
                + " expected a regular file", mainError("  include \"/dev/urandom\"\n"));
    }

    @Test
    void devZeroAsTheMainFileIsAConfigError() {
        assertEquals("/dev/zero:1:1: cannot read config file /dev/zero: it is a character device,"
                + " expected a regular file", error(Path.of("/dev/zero")));
    }

    @Test
    void includeOfASymlinkToDevUrandomIsRefusedByItsTarget() throws IOException {
        Files.createSymbolicLink(dir.resolve("random.conf"), Path.of("/dev/urandom"));
        assertEquals(main + ":1:1: cannot read config file " + dir.resolve("random.conf")
                + ": it is a character device, expected a regular file", mainError("include \"random.conf\"\n"));
    }

    @Test
    void aSymlinkToARegularFileIsStillIncluded() throws Exception {
        Files.writeString(dir.resolve("real.conf"), "server.tag = \"linked\"\n");
        Files.createSymbolicLink(dir.resolve("link.conf"), dir.resolve("real.conf"));
        Files.writeString(main, "include \"link.conf\"\n");
        assertEquals("linked", ConfigParser.parse(main, Map.of()).serverTag());
    }

    @Test
    void includeOfAFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("pipe.conf");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        assertEquals(main + ":1:1: cannot read config file " + fifo + ": it is a FIFO (named pipe),"
                + " expected a regular file", mainError("include \"pipe.conf\"\n"));
    }

    @Test
    void includeOfADirectoryIsRefused() throws IOException {
        Files.createDirectory(dir.resolve("conf.d"));
        assertEquals(main + ":1:1: cannot read config file " + dir.resolve("conf.d") + ": it is a directory,"
                + " expected a regular file", mainError("include \"conf.d\"\n"));
    }

    @Test
    void aHugeSingleFileIsRefusedBeforeItIsRead() throws IOException {
        Path huge = dir.resolve("huge.conf");
        Files.writeString(huge, ("#" + "x".repeat(1022) + "\n").repeat(2 * 1024));
        assertEquals(main + ":1:1: config file " + huge + " is 2097152 bytes, more than the limit of "
                + ConfigFileReader.MAX_FILE_BYTES + " bytes, expected a config file (they are a few KiB)",
                mainError("include \"huge.conf\"\n"));
    }

    @Test
    void includeShellPrintingWithoutEndIsStopped() throws IOException {
        String message = mainError("\ninclude_shell \"cat /dev/zero\"\n");
        assertEquals(main + ":2:1: include_shell \"cat /dev/zero\" printed ", message.substring(0,
                message.indexOf("printed ") + "printed ".length()));
        assertEquals(" bytes, more than the limit of " + ShellInclude.MAX_OUTPUT_BYTES
                + ", expected a command that prints a config", message.substring(message.indexOf(" bytes")));
    }

    @Test
    void includingTheSameFileOverAndOverStopsAtTheIncludeCount() throws IOException {
        Files.writeString(dir.resolve("one.conf"), "\n");
        String message = mainError("include \"one.conf\"\n".repeat(ParseBudget.MAX_INCLUDES + 1));
        assertEquals(main + ":" + (ParseBudget.MAX_INCLUDES + 1) + ":1: include of " + dir.resolve("one.conf")
                + " is include number 1025, more than the limit of 1024 includes, expected fewer"
                + " (does a glob match too much?)", message);
    }

    @Test
    void aGlobMatchingMorePathsThanItMayHoldIsRefusedWhileListing() throws IOException {
        Path many = Files.createDirectory(dir.resolve("many"));
        for (int i = 0; i <= Glob.MAX_PATHS; i++) {
            Files.createFile(many.resolve(i + ".conf"));
        }
        assertEquals(main + ":1:1: include \"many/*\" failed: it matches more than " + Glob.MAX_PATHS
                + " paths at '*', the limit, expected a narrower pattern", mainError("include \"many/*\"\n"));
    }

    @Test
    void largeIncludesAddUpToTheTotalLimit() throws IOException {
        Path large = dir.resolve("large.conf");
        Files.writeString(large, ("#" + "x".repeat(1022) + "\n").repeat(900));
        assertEquals(main + ":5:1: include of " + large + " brings the included text to " + 5 * 900 * 1024
                + " characters, more than the limit of " + ParseBudget.MAX_INCLUDED_BYTES
                + ", expected a smaller config", mainError("include \"large.conf\"\n".repeat(5)));
    }

    @Test
    void aFileOfTinyStatementsStopsAtTheTokenLimit() throws IOException {
        // "a=1\n" is four tokens in four bytes: the file is under the size limit, its tokens are not.
        int lines = ParseBudget.MAX_TOKENS / 4 + 1;
        assertEquals(main + ":" + lines + ":1: token number " + (ParseBudget.MAX_TOKENS + 1)
                + " is more than the limit of " + ParseBudget.MAX_TOKENS
                + " tokens in all config files, expected a smaller config", mainError("a=1\n".repeat(lines)));
    }
}
