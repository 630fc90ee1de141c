package io.gatehouse.spawn.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written decoders and small rules of the spawner, checked without processes. */
class DecodingTest {

    @ParameterizedTest
    @CsvSource({
        "0x0000, status 0",
        "0x0300, status 3",
        "0xff00, status 255",
        "0x0009, signal 9 (SIGKILL)",
        "0x000f, signal 15 (SIGTERM)",
        "0x008b, 'signal 11 (SIGSEGV), core dumped'",
        "0x0028, signal 40 (signal 40)",
    })
    void waitStatusIsDecodedAsGlibcMacrosDo(String raw, String expected) {
        assertEquals(expected, new WaitStatus(Integer.decode(raw)).describe());
    }

    @Test
    void statFieldsAreCountedFromTheLastParenthesisSoOddCommandNamesParse() {
        String line = "4711 (a) b (c) d) S 1 4711 4711 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcFs.Stat stat = parseStat(4711, line);
        assertEquals(new ProcFs.Stat(4711, 'S', 1, 4711, 98765), stat);
        assertEquals(true, parseStat(5, "5 (z) Z 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0").zombie());
        assertThrows(IllegalStateException.class, () -> parseStat(1, "garbage without a command"));
    }

    @Test
    void statCommandNamesWithNewlinesSpacesAndParenthesesParse() {
        ProcFs.Stat stat = parseStat(9, "9 (x) S\n1 2 3) R 7 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0\n");
        assertEquals(new ProcFs.Stat(9, 'R', 7, 9, 55), stat);
    }

    @Test
    void statLineCutAfterItsStartTimeStillParses() {
        // the reader's buffer may end inside a later field: only fields 3 to 22 are read
        assertEquals(new ProcFs.Stat(3, 'S', 1, 3, 42),
                parseStat(3, "3 (cut) S 1 3 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 18446744"));
        assertEquals(new ProcFs.Stat(3, 'S', 1, 3, 42),
                parseStat(3, "3 (cut) S 1 3 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "garbage without a command",
        "5 (no state)",
        "5 (no space)S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0",
        "5 (cut before the start time) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0",
        "5 (letter in the group) S 1 5x 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0",
        "5 (negative parent) S -1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0",
        "5 (two spaces) S  1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0",
        "5 (20 digits) S 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551615 0 0",
    })
    void statLinesThatAreNotStatLinesFailNamingTheFile(String line) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> parseStat(5, line));
        assertTrue(e.getMessage().startsWith("/proc/5/stat is not a stat line: "), e.getMessage());
    }

    @Test
    void aMalformedStatLineIsShownWithItsControlBytesEscaped() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> parseStat(5, "5 (fake\nlog line\\) S"));
        assertEquals("/proc/5/stat is not a stat line: 5 (fake\\x0alog line\\x5c) S", e.getMessage());
    }

    private static ProcFs.Stat parseStat(long pid, String line) {
        byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        return ProcFs.parse(pid, bytes, bytes.length);
    }

    @Test
    void statOfThisProcessMatchesProcessHandle() {
        long self = ProcessHandle.current().pid();
        ProcFs.Stat stat = ProcFs.stat(self).orElseThrow();
        assertEquals(self, stat.pid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), stat.parentPid());
        assertEquals(true, ProcFs.alive(self));
        assertEquals(false, ProcFs.stat(Integer.MAX_VALUE).isPresent());
    }

    @Test
    void backoffStartsAtOnceDoublesToTheCapAndResetsAfterAStablePeriod() {
        Backoff backoff = new Backoff();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            delays.add(TimeUnit.NANOSECONDS.toMillis(backoff.delayAfterExit(0)));
        }
        assertEquals(List.of(0L, 250L, 500L, 1000L, 2000L, 4000L, 8000L, 10000L, 10000L), delays);
        assertEquals(0, backoff.delayAfterExit(Backoff.STABLE_NANOS));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), backoff.delayAfterExit(Backoff.STABLE_NANOS - 1));
    }

    @Test
    void environmentFollowsLighttpd() {
        Map<String, String> ours = Map.of("PATH", "/bin", "HOME", "/root", "SECRET", "s");
        assertEquals(Map.of("PATH", "/bin", "X", "1", "PHP_FCGI_CHILDREN", "1"),
                ChildEnvironment.build(ours, List.of("PATH", "ABSENT"), Map.of("X", "1")));
        assertEquals(Map.of("PATH", "/usr/bin", "HOME", "/root", "SECRET", "s", "PHP_FCGI_CHILDREN", "4"),
                ChildEnvironment.build(ours, List.of(), Map.of("PATH", "/usr/bin", "PHP_FCGI_CHILDREN", "4")));
        assertEquals(List.of("A=1", "PHP_FCGI_CHILDREN=1"),
                ChildEnvironment.toEnvp(ChildEnvironment.build(Map.of(), List.of(), Map.of("A", "1"))));
    }

    @Test
    void socketActivationVariablesNeverReachAChild() {
        Map<String, String> ours = Map.of("PATH", "/bin", "LISTEN_PID", "1", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "web");
        assertEquals(Map.of("PATH", "/bin", "PHP_FCGI_CHILDREN", "1"), ChildEnvironment.build(ours, List.of(), Map.of()));
        assertEquals(Map.of("PHP_FCGI_CHILDREN", "1"),
                ChildEnvironment.build(ours, List.of("LISTEN_FDS", "LISTEN_PID"), Map.of()));
    }

    @Test
    void errnoAndSignalNamesComeFromTheirNumbers() {
        assertEquals("ECONNREFUSED", NativeLib.errnoName(111));
        assertEquals("errno 4095", NativeLib.errnoName(4095));
        assertEquals("SIGUSR1", NativeLib.signalName(10));
    }
}
