package io.gatehouse.spawn.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the {@code /proc/<pid>/stat} parser. A process names itself (any 15 bytes but NUL), so
 * every stop's listing parses lines partly written by the processes it lists: the outcome of any
 * bytes is a stat or an IllegalStateException, and a line built from chosen fields, with a
 * chosen command name and cut anywhere after its start time, parses back to those fields.
 */
class ProcStatFuzzTest {

    /** TASK_COMM_LEN less its NUL. */
    private static final int COMMAND_NAME_BYTES = 15;

    @FuzzTest(maxDuration = "15s")
    void procStat(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            builtLineParsesBack(data);
        } else {
            anyBytes(data.consumeRemainingAsBytes());
        }
    }

    private static void anyBytes(byte[] line) {
        try {
            ProcFs.Stat stat = ProcFs.parse(1, line, line.length);
            assertTrue(stat.parentPid() >= 0 && stat.processGroup() >= 0 && stat.startTime() >= 0, stat.toString());
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().startsWith("/proc/1/stat is not a stat line: "), expected.getMessage());
        }
    }

    private static void builtLineParsesBack(FuzzedDataProvider data) {
        char state = "RSDZTtXxKWPI".charAt(data.consumeInt(0, 11));
        long parent = data.consumeLong(0, Integer.MAX_VALUE);
        long group = data.consumeLong(0, Integer.MAX_VALUE);
        // 18 digits at most: clock ticks since boot are far fewer, and 19 is the parser's limit
        long start = Math.floorMod(data.consumeLong(), 1_000_000_000_000_000_000L);
        byte[] name = data.consumeBytes(COMMAND_NAME_BYTES);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("42 (".getBytes(StandardCharsets.US_ASCII));
        for (byte b : name) {
            out.write(b == 0 ? '?' : b);
        }
        String fields = ") " + state + " " + parent + " " + group + " 7 0 -1 4194560 1 0 0 0 3 4 0 0 20 0 1 0 " + start;
        out.writeBytes(fields.getBytes(StandardCharsets.US_ASCII));
        int endOfStart = out.size();
        out.writeBytes(" 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
                .getBytes(StandardCharsets.US_ASCII));
        byte[] line = out.toByteArray();
        int length = data.consumeInt(endOfStart, line.length);
        assertEquals(new ProcFs.Stat(42, state, parent, group, start), ProcFs.parse(42, line, length));
    }
}
