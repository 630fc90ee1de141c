package io.gatehouse.spawn.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The processes a test starts, killed with whatever they started when the test ends. */
final class StartedProcesses {

    private final List<Process> started = new ArrayList<>();

    Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        started.add(process);
        return process;
    }

    void killAll() throws InterruptedException {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            assertTrue(process.waitFor(5, TimeUnit.SECONDS), "pid " + process.pid() + " ended");
        }
        started.clear();
    }
}
