package io.gatehouse.core;

import org.junit.jupiter.api.Test;

import io.gatehouse.core.EngineFixture.Pool;
import io.gatehouse.core.ScriptedBackend.Transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a backend writes to FastCGI's stderr reaches the error log a line each, with its control
 * characters written as {@code \xNN}: an operator reads that log on a terminal, where an escape
 * sequence would act and a carriage return would hide the start of a line.
 */
class EngineBackendStderrTest {

    @Test
    void stderrLinesAreLoggedWithTheirControlCharactersEscaped() throws Exception {
        try (EngineFixture fixture = EngineFixture.start(Transport.UNIX, Pool.NONE)) {
            try (RawClient client = fixture.client().sendHead("GET", "/noisy", 0);
                 ScriptedConnection backend = fixture.backend.accept(EngineFixture.PROMPTLY)) {
                int id = backend.readRequest(EngineFixture.PROMPTLY).requestId();
                backend.write(ScriptedConnection.stderr(id, "PHP Warning: \u001b[2Jcleared\rhidden\u0000\ttab\nsecond line\n"),
                        EngineFixture.PROMPTLY);
                backend.write(ScriptedConnection.answer(id, "fine"), EngineFixture.PROMPTLY);
                assertEquals(200, client.readHead(EngineFixture.PROMPTLY).status());
            }
            String log = fixture.errorLogText();
            assertTrue(log.contains("): PHP Warning: \\x1b[2Jcleared\\x0dhidden\\x00\ttab\n"), log);
            assertTrue(log.contains("): second line\n"), log);
            assertFalse(log.contains("\u001b") || log.contains("\r") || log.contains("\u0000"), log);
            fixture.assertNothingLeftBehind();
        }
    }
}
