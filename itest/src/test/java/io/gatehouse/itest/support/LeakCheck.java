package io.gatehouse.itest.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.gatehouse.itest.support.ProcessTree.ProcInfo;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension ({@code @ExtendWith(LeakCheck.class)}) that fails a test which leaves
 * something behind:
 * <ul>
 *   <li>after each test: no child process of this JVM that the test started is still there,
 *       and no zombie anywhere under this JVM;</li>
 *   <li>after each test: no file the test registered with {@link #expectGone(Path)} exists
 *       (registered in {@code @BeforeAll}: checked after the class instead);</li>
 *   <li>after the class: no child process started by the class remains, no zombie, and this
 *       JVM's open descriptors grew by at most {@link #FD_GROWTH_TOLERANCE}.</li>
 * </ul>
 * Processes and descriptors that existed before the test (or class) began are not blamed on it,
 * so a class may share a fixture started in {@code @BeforeAll}. Whatever leaked is killed or
 * deleted before the failure is reported, so one leak does not fail the tests that follow.
 *
 * <p>Thread-safe registration ({@link #expectGone} may be called from any thread). The checks
 * assume tests in this JVM run one at a time, which the build's surefire configuration does.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /**
     * Descriptors a class may open and keep for the life of the JVM without leaking: the shared
     * HTTP client's selector holds an epoll and an eventfd descriptor (measured: +2 in the first
     * class that uses it); the rest is margin for one more lazily created JDK facility. Kept
     * small so a test that leaks a socket per test method is caught once a class has a few tests.
     */
    public static final int FD_GROWTH_TOLERANCE = 4;
    /**
     * Opened once and kept by the JVM, never a leak: class-path jars (class loading) and the
     * entropy devices ({@code SecureRandom}, e.g. for {@code UUID.randomUUID()}).
     */
    private static final List<String> JVM_LIFETIME_SUFFIXES = List.of(".jar", "/dev/random", "/dev/urandom");
    /** A child that was just killed needs a moment to be reaped by the JDK's reaper thread. */
    public static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);
    private static final String CLASS_CHILDREN = "classChildren";
    private static final String TEST_CHILDREN = "testChildren";
    private static final String CLASS_FDS = "classFds";

    private static final Object LOCK = new Object();
    private static final List<Path> testScopedPaths = new ArrayList<>();
    private static final List<Path> classScopedPaths = new ArrayList<>();
    private static boolean inTest;

    /** Registers a path (a socket, a pid file) that must not exist once the current test (or class) ends. */
    public static void expectGone(Path path) {
        synchronized (LOCK) {
            (inTest ? testScopedPaths : classScopedPaths).add(path);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        store.put(CLASS_CHILDREN, childPids());
        store.put(CLASS_FDS, openFds());
        synchronized (LOCK) {
            classScopedPaths.clear();
            inTest = false;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(TEST_CHILDREN, childPids());
        synchronized (LOCK) {
            testScopedPaths.clear();
            inTest = true;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<Path> paths;
        synchronized (LOCK) {
            paths = List.copyOf(testScopedPaths);
            testScopedPaths.clear();
            inTest = false;
        }
        Set<Long> before = getPids(context, TEST_CHILDREN);
        runAll(() -> assertNoNewChildren(before, SETTLE_TIMEOUT),
                () -> assertNoZombiesUnder(ProcessHandle.current().pid(), SETTLE_TIMEOUT),
                () -> assertGone(paths));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<Path> paths;
        synchronized (LOCK) {
            paths = List.copyOf(classScopedPaths);
            classScopedPaths.clear();
        }
        Set<Long> before = getPids(context, CLASS_CHILDREN);
        @SuppressWarnings("unchecked")
        List<String> fdsBefore = context.getStore(NAMESPACE).get(CLASS_FDS, List.class);
        runAll(() -> assertNoNewChildren(before, SETTLE_TIMEOUT),
                () -> assertNoZombiesUnder(ProcessHandle.current().pid(), SETTLE_TIMEOUT),
                () -> assertGone(paths),
                () -> assertFdGrowthWithin(fdsBefore, FD_GROWTH_TOLERANCE, SETTLE_TIMEOUT));
    }

    /** Runs every check, then rethrows the first failure with the others attached. */
    private static void runAll(Runnable... checks) {
        AssertionError first = null;
        for (Runnable check : checks) {
            try {
                check.run();
            } catch (AssertionError e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static Set<Long> getPids(ExtensionContext context, String key) {
        @SuppressWarnings("unchecked")
        Set<Long> pids = context.getStore(NAMESPACE).get(key, Set.class);
        return pids == null ? Set.of() : pids;
    }

    /** Pids of this JVM's children right now. */
    public static Set<Long> childPids() {
        return ProcessTree.pids(ProcessTree.children(ProcessHandle.current().pid()));
    }

    /**
     * Fails when this JVM has a child not in {@code before} once {@code settle} has passed; kills
     * those children (and what runs under them) first.
     */
    public static void assertNoNewChildren(Set<Long> before, Duration settle) {
        long self = ProcessHandle.current().pid();
        List<ProcInfo> leaked = awaitEmpty(() -> ProcessTree.children(self).stream()
                .filter(p -> !before.contains(p.pid())).collect(Collectors.toList()), settle);
        if (leaked.isEmpty()) {
            return;
        }
        List<ProcInfo> victims = new ArrayList<>();
        for (ProcInfo child : leaked) {
            victims.addAll(ProcessTree.descendants(child.pid()));
            victims.add(child);
        }
        ProcessTree.killAll(victims);
        ProcessTree.awaitGone(victims, KILL_TIMEOUT);
        Assertions.fail(leaked.size() + " child process(es) of the test JVM left behind (now killed):\n"
                + ProcessTree.describeAll(leaked));
    }

    /** Like {@link ProcessTree#assertNoZombiesUnder}, after giving reapers {@code settle} to catch up. */
    public static void assertNoZombiesUnder(long pid, Duration settle) {
        awaitEmpty(() -> ProcessTree.descendants(pid).stream().filter(ProcInfo::isZombie)
                .collect(Collectors.toList()), settle);
        ProcessTree.assertNoZombiesUnder(pid);
    }

    /** Fails when any of {@code paths} exists, after deleting them. */
    public static void assertGone(List<Path> paths) {
        List<Path> left = paths.stream().filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS))
                .collect(Collectors.toList());
        if (left.isEmpty()) {
            return;
        }
        for (Path path : left) {
            try {
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    TempDirs.deleteRecursively(path);
                } else {
                    Files.deleteIfExists(path);
                }
            } catch (IOException | UncheckedIOException e) {
                // Reported below either way; the failure names the path.
            }
        }
        Assertions.fail(left.size() + " path(s) the test registered with expectGone still exist (now deleted): "
                + left);
    }

    /** This JVM's open descriptors as link targets, without those the JVM keeps for its lifetime. */
    public static List<String> openFds() {
        return ProcessTree.fds(ProcessHandle.current().pid()).stream()
                .filter(target -> JVM_LIFETIME_SUFFIXES.stream().noneMatch(target::endsWith))
                .collect(Collectors.toList());
    }

    /**
     * Fails when {@link #openFds()} has grown by more than {@code tolerance} over {@code before}
     * once {@code settle} has passed (sockets closed by a peer are noticed asynchronously). The
     * message lists the new descriptors.
     */
    public static void assertFdGrowthWithin(List<String> before, int tolerance, Duration settle) {
        if (before == null) {
            return;
        }
        long deadline = System.nanoTime() + settle.toNanos();
        List<String> now = openFds();
        while (now.size() - before.size() > tolerance && System.nanoTime() < deadline) {
            ProcessTree.sleepPoll();
            now = openFds();
        }
        int growth = now.size() - before.size();
        if (growth > tolerance) {
            Assertions.fail("open descriptors grew by " + growth + " (" + before.size() + " -> " + now.size()
                    + "), tolerance " + tolerance + "; new: " + added(before, now));
        }
    }

    private static List<String> added(List<String> before, List<String> now) {
        Map<String, Integer> remaining = new HashMap<>();
        before.forEach(target -> remaining.merge(target, 1, Integer::sum));
        List<String> added = new ArrayList<>();
        for (String target : now) {
            if (remaining.merge(target, -1, Integer::sum) < 0) {
                added.add(target);
            }
        }
        return added;
    }

    private static List<ProcInfo> awaitEmpty(Supplier<List<ProcInfo>> probe, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcInfo> found = probe.get();
        while (!found.isEmpty() && System.nanoTime() < deadline) {
            ProcessTree.sleepPoll();
            found = probe.get();
        }
        return found;
    }
}
