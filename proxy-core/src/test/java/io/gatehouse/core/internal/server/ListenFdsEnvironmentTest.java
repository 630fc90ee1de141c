package io.gatehouse.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** lighttpd's rules for LISTEN_PID and LISTEN_FDS, and the reasons given when sockets are ignored. */
class ListenFdsEnvironmentTest {

    private static final long PID = 4242;
    private static final long PARENT = 17;

    private static ListenFdsEnvironment.Verdict read(boolean enabled, String... pairs) {
        Map<String, String> environment = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            environment.put(pairs[i], pairs[i + 1]);
        }
        return ListenFdsEnvironment.read(environment, enabled, PID, PARENT);
    }

    private static String note(ListenFdsEnvironment.Verdict verdict) {
        assertFalse(verdict.activates(), verdict.toString());
        assertEquals(0, verdict.fdCount());
        return verdict.note().orElseThrow();
    }

    @Test
    void socketsMeantForThisProcessAreTaken() {
        ListenFdsEnvironment.Verdict verdict = read(true, "LISTEN_PID", "4242", "LISTEN_FDS", "2");
        assertTrue(verdict.activates());
        assertEquals(2, verdict.fdCount());
        assertTrue(verdict.note().isEmpty());
        assertEquals(4999, read(true, "LISTEN_PID", "4242", "LISTEN_FDS", "4999").fdCount());
    }

    @Test
    void lighttpdsParentFormIsAcceptedForOurParentOnly() {
        assertEquals(1, read(true, "LISTEN_PID", "parent:17", "LISTEN_FDS", "1").fdCount());
        assertTrue(note(read(true, "LISTEN_PID", "parent:4242", "LISTEN_FDS", "1")).contains("names another process"));
        assertTrue(note(read(true, "LISTEN_PID", "parent:", "LISTEN_FDS", "1")).contains("names another process"));
        assertFalse(ListenFdsEnvironment.read(Map.of("LISTEN_PID", "parent:-1", "LISTEN_FDS", "1"), true, PID, -1)
                .activates());
    }

    @Test
    void anotherProcessesPidIsIgnoredWithTheReason() {
        assertEquals("the sockets systemd passed (LISTEN_FDS) are ignored: LISTEN_PID=\"4241\" names another process"
                + " (this is pid 4242): the sockets were meant for it",
                note(read(true, "LISTEN_PID", "4241", "LISTEN_FDS", "1")));
        assertTrue(note(read(true, "LISTEN_PID", " 4242", "LISTEN_FDS", "1")).contains("names another process"));
        assertTrue(note(read(true, "LISTEN_PID", "4242x", "LISTEN_FDS", "1")).contains("names another process"));
        assertTrue(note(read(true, "LISTEN_FDS", "1")).endsWith("LISTEN_PID is not set"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "5000", "-1", "", "1x", " 1", "99999", "2147483648"})
    void aCountOutsideOneTo4999IsIgnoredWithTheValue(String fds) {
        assertTrue(note(read(true, "LISTEN_PID", "4242", "LISTEN_FDS", fds))
                .endsWith("LISTEN_FDS=\"" + fds + "\" is not a count of 1..4999"));
    }

    @Test
    void withActivationOffPassedSocketsAreIgnoredAndSaidSo() {
        assertEquals("the sockets systemd passed (LISTEN_FDS) are ignored: server.systemd-socket-activation is not"
                + " enabled in the config", note(read(false, "LISTEN_PID", "4242", "LISTEN_FDS", "1")));
    }

    @Test
    void withoutListenFdsNothingIsTakenAndOnlyAnEnabledConfigHearsAboutIt() {
        ListenFdsEnvironment.Verdict off = read(false, "LISTEN_PID", "4242");
        assertFalse(off.activates());
        assertTrue(off.note().isEmpty());
        assertTrue(note(read(true)).contains("LISTEN_FDS is not set"));
    }
}
