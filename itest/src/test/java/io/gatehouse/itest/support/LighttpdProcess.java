package io.gatehouse.itest.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import org.junit.jupiter.api.Assertions;

/**
 * lighttpd 1.4 ({@code lighttpd -D -f <conf>}) as a child process of the test, the reference that
 * gatehouse is compared with: {@link #start} returns once 127.0.0.1:{@code port} accepts, and
 * {@link #close} stops it with SIGTERM and then kills whatever it spawned that outlived it.
 * lighttpd leaves some bin-path children behind when it stops (fcgiwrap workers, measured): that
 * is lighttpd's behaviour, not the test's to judge, so leftovers are killed without failing.
 *
 * <p>Every process started carries {@link GatehouseProcess#RUN_MARKER} with a value unique to
 * this instance, so orphans that left the process tree are found too.
 *
 * <p>Not thread-safe.
 */
public final class LighttpdProcess implements AutoCloseable {

    /** lighttpd starts in milliseconds; its bin-path children are spawned before it listens. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    /** SIGTERM is lighttpd's fast stop: it exits at once. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

    private final Process process;
    private final Path logFile;
    private final String marker;
    private boolean closed;

    private LighttpdProcess(Process process, Path logFile, String marker) {
        this.process = process;
        this.logFile = logFile;
        this.marker = marker;
    }

    /**
     * Starts {@code lighttpd -D -f conf} in the config's directory with {@code environment} added
     * to this JVM's, its output in {@code logFile}, and waits until 127.0.0.1:{@code port} accepts.
     */
    public static LighttpdProcess start(Path conf, int port, Map<String, String> environment, Path logFile) {
        Path lighttpd = Peers.require("lighttpd");
        String marker = UUID.randomUUID().toString();
        ProcessBuilder builder = new ProcessBuilder(lighttpd.toString(), "-D", "-f", conf.toAbsolutePath().toString())
                .directory(conf.toAbsolutePath().getParent().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().putAll(environment);
        builder.environment().put(GatehouseProcess.RUN_MARKER, marker);
        LighttpdProcess lighttpdProcess;
        try {
            lighttpdProcess = new LighttpdProcess(builder.start(), logFile, marker);
        } catch (IOException e) {
            throw new AssertionError("cannot start " + lighttpd + ": " + e, e);
        }
        try {
            GatehouseProcess.awaitPort(lighttpdProcess.process, "lighttpd", port, START_TIMEOUT,
                    lighttpdProcess::logTail);
        } catch (AssertionError e) {
            lighttpdProcess.close();
            throw e;
        }
        return lighttpdProcess;
    }

    /** The last lines of lighttpd's output, for failure messages. */
    public String logTail() {
        return LogFiles.tail(List.of(logFile));
    }

    /**
     * Stops lighttpd (SIGTERM, SIGKILL after a timeout) and kills every process it spawned that is
     * still running. Fails only when lighttpd itself would not stop. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcInfo> spawned = new ArrayList<>(ProcessTree.descendants(process.pid()));
        boolean stopped = true;
        if (process.isAlive()) {
            ProcessTree.signalIfAlive(process, "TERM");
            stopped = GatehouseProcess.waitFor(process, STOP_TIMEOUT);
            if (!stopped) {
                process.destroyForcibly();
                GatehouseProcess.waitFor(process, KILL_TIMEOUT);
            }
        }
        for (ProcInfo p : ProcessTree.withEnvironment(GatehouseProcess.RUN_MARKER, marker)) {
            if (!p.isZombie() && !ProcessTree.pids(spawned).contains(p.pid())) {
                spawned.add(p);
            }
        }
        ProcessTree.killAll(ProcessTree.awaitGone(spawned, KILL_TIMEOUT.dividedBy(5)));
        ProcessTree.awaitGone(spawned, KILL_TIMEOUT);
        if (!stopped) {
            Assertions.fail("lighttpd " + process.pid() + " still running " + STOP_TIMEOUT + " after SIGTERM\n"
                    + logTail());
        }
    }
}
