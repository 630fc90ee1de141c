package io.gatehouse.spawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.gatehouse.spawn.internal.NativeLib;
import io.gatehouse.spawn.internal.ProcFs;
import io.gatehouse.spawn.internal.SocketFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Common ground of the spawner's process tests: a short temp directory for socket paths, every
 * started backend stopped afterwards with a verified report, and after each test no child or
 * zombie of this JVM, no socket file and no more descriptors than before.
 */
abstract class SpawnTestSupport {

    /** Descriptors the JDK may open lazily during a test (a selector's epoll and pipe pair). */
    private static final int FD_TOLERANCE = 3;
    private static final long SETTLE_MILLIS = 3000;

    protected Path dir;
    protected final List<String> log = new CopyOnWriteArrayList<>();
    private final List<SpawnedBackend> backends = new ArrayList<>();
    private int fdsBefore;

    @BeforeAll
    static void loadNativeBindingFirst() throws SpawnException {
        // jnr-ffi opens and maps its library once; count descriptors only after that
        NativeLib.get();
    }

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "gh");
        fdsBefore = fdCount();
    }

    @AfterEach
    void checkNothingLeft() throws Exception {
        List<String> problems = new ArrayList<>();
        for (SpawnedBackend backend : backends) {
            StopReport report = backend.stop();
            if (!report.verified()) {
                problems.add(report.summary());
            }
        }
        backends.clear();
        assertTrue(problems.isEmpty(), "stop not verified: " + problems);
        assertNoChildren();
        List<Path> sockets;
        try (Stream<Path> files = Files.walk(dir)) {
            sockets = files.filter(p -> SocketFiles.socketInode(p).isPresent()).collect(Collectors.toList());
        }
        deleteRecursively(dir);
        assertEquals(List.of(), sockets, "socket files left behind");
        assertFdsSettle();
    }

    /** Starts {@code spec}, logging events, and stops it after the test. */
    protected SpawnedBackend start(SpawnSpec spec) throws SpawnException {
        SpawnedBackend backend = SpawnedBackend.start(spec, SpawnEvents.lines(log::add));
        backends.add(backend);
        return backend;
    }

    /** Launches {@code spec} without its start-up check, and stops it after the test. */
    protected SpawnedBackend launch(SpawnSpec spec, StateFile stateFile) throws SpawnException {
        SpawnedBackend backend = SpawnedBackend.launch(spec, SpawnEvents.lines(log::add), stateFile);
        backends.add(backend);
        return backend;
    }

    /** Launches every spec at once, and stops them after the test. */
    protected List<SpawnedBackend> launchAll(List<SpawnSpec> specs, StateFile stateFile) throws SpawnException {
        List<SpawnedBackend> launched = SpawnedBackend.launchAll(specs, SpawnEvents.lines(log::add), stateFile);
        backends.addAll(launched);
        return launched;
    }

    protected SpawnedBackend start(SpawnSpec spec, StateFile stateFile) throws SpawnException {
        SpawnedBackend backend = SpawnedBackend.start(spec, SpawnEvents.lines(log::add), stateFile);
        backends.add(backend);
        return backend;
    }

    /** The binary at {@code path}, or a failed test naming the package that provides it. */
    static Path requireBinary(String path, String debianPackage) {
        Path binary = Path.of(path);
        if (!Files.isExecutable(binary)) {
            fail(path + " is missing: install it with `apt-get install " + debianPackage + "`");
        }
        return binary;
    }

    static int fdCount() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /** No descendant process and no zombie child of this JVM, waiting a moment for stragglers. */
    static void assertNoChildren() throws InterruptedException {
        long self = ProcessHandle.current().pid();
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        String left = "";
        while (System.currentTimeMillis() < deadline) {
            List<String> found = new ArrayList<>();
            ProcessHandle.current().descendants().forEach(p -> found.add(p.pid() + " " + p.info().command().orElse("?")));
            for (ProcFs.Stat stat : ProcFs.all()) {
                if (stat.parentPid() == self && stat.zombie()) {
                    found.add(stat.pid() + " (zombie)");
                }
            }
            if (found.isEmpty()) {
                return;
            }
            left = found.toString();
            Thread.sleep(20);
        }
        fail("processes left behind: " + left);
    }

    private void assertFdsSettle() throws Exception {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        int now = fdCount();
        while (now > fdsBefore + FD_TOLERANCE && System.currentTimeMillis() < deadline) {
            System.gc();
            Thread.sleep(50);
            now = fdCount();
        }
        assertTrue(now <= fdsBefore + FD_TOLERANCE, "descriptors grew from " + fdsBefore + " to " + now);
    }

    /** Writes an executable shell script into the test directory. */
    protected Path script(String name, String body) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        script.toFile().setExecutable(true);
        return script;
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Polls {@code condition} every few ms for at most {@code millis}; true once it held. */
    static boolean eventually(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(2);
        }
        return condition.getAsBoolean();
    }
}
