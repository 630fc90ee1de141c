package io.gatehouse.spawn;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.gatehouse.spawn.internal.ProcFs;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** php-cgi spawned as lighttpd spawns it, inspected through /proc and spoken to over FastCGI. */
class PhpCgiSpawnTest extends SpawnTestSupport {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private Path phpScript() throws IOException {
        Path script = dir.resolve("hello.php");
        Files.writeString(script, "<?php echo 'pid=' . getmypid() . ' method=' . $_SERVER['REQUEST_METHOD']"
                + " . ' body=' . file_get_contents('php://input') . ' env=' . getenv('GH_MARK');\n");
        return script;
    }

    private SpawnSpec.Builder php(int procs) {
        Path php = requireBinary("/usr/bin/php-cgi", "php-cgi");
        return SpawnSpec.builder("php", List.of(php.toString())).socket(dir.resolve("php.sock")).procs(procs);
    }

    static String request(SocketAddress address, Path script, String method, String body) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("GATEWAY_INTERFACE", "CGI/1.1");
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        params.put("REQUEST_METHOD", method);
        params.put("SCRIPT_FILENAME", script.toString());
        params.put("SCRIPT_NAME", "/" + script.getFileName());
        params.put("REQUEST_URI", "/" + script.getFileName());
        params.put("QUERY_STRING", "");
        params.put("CONTENT_LENGTH", Integer.toString(body.length()));
        params.put("CONTENT_TYPE", "text/plain");
        params.put("REDIRECT_STATUS", "200");
        return TestClients.fcgi(address, params, body.getBytes(StandardCharsets.ISO_8859_1), REQUEST_TIMEOUT);
    }

    @Test
    void eachChildHasOnlyItsSocketNullAndStderrWithCleanSignalsOwnGroupAndBinaryDirectory() throws Exception {
        Path script = phpScript();
        SpawnedBackend backend = start(php(2).environment(Map.of("PHP_FCGI_CHILDREN", "2")).build());
        Set<String> jvmTargets = fdTargets(ProcessHandle.current().pid()).values().stream()
                .collect(HashSet::new, Set::add, Set::addAll);
        String ourStderr = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
        String ourMask = threadMask();

        List<ProcStatus> status = backend.status();
        assertEquals(2, status.size());
        for (ProcStatus proc : status) {
            assertEquals(ProcStatus.State.RUNNING, proc.state(), proc.toString());
            long pid = proc.pid();
            assertTrue(ProcFs.alive(pid), "child " + pid + " alive");
            Path socket = dir.resolve("php.sock-" + proc.number());
            assertEquals(socket.toString(), proc.address());
            assertEquals(UnixDomainSocketAddress.of(socket), backend.addresses().get(proc.number()));

            Map<Integer, String> fds = fdTargets(pid);
            assertEquals("socket:[" + boundInode(socket) + "]", fds.get(0), "fd 0 is the socket bound at " + socket);
            assertEquals("/dev/null", fds.get(1));
            assertEquals(ourStderr, fds.get(2));
            for (Map.Entry<Integer, String> fd : fds.entrySet()) {
                if (fd.getKey() > 2) {
                    // whatever php opens itself is fine; nothing may come from the JVM
                    assertFalse(jvmTargets.contains(fd.getValue()) || fd.getValue().endsWith(".jar")
                            || fd.getValue().startsWith("socket:"),
                            "child " + pid + " fd " + fd.getKey() + " -> " + fd.getValue() + " came from the JVM: " + fds);
                }
            }
            assertEquals(pid, ProcFs.stat(pid).orElseThrow().processGroup(), "own process group");
            assertEquals("0000000000000000", statusField(pid, "SigBlk"), "empty signal mask");
            assertNotEquals("0000000000000000", ourMask, "Java threads block SIGQUIT: the check above can fail");
            assertEquals(Path.of("/usr/bin"), Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")));

            String get = request(backend.addresses().get(proc.number()), script, "GET", "");
            assertTrue(get.contains("method=GET body= "), get);
            long worker = Long.parseLong(get.replaceAll("(?s).*pid=(\\d+).*", "$1"));
            assertEquals(pid, ProcFs.stat(worker).orElseThrow().parentPid(), "a worker of proc " + proc.number());
            String post = request(backend.addresses().get(proc.number()), script, "POST", "a=1&b=2");
            assertTrue(post.contains("method=POST body=a=1&b=2"), post);
        }
        assertEquals(2, workersOf(status.get(0).pid()), "PHP_FCGI_CHILDREN=2 reached php-cgi");
        assertTrue(log.stream().anyMatch(l -> l.contains("proc 1 pid " + status.get(1).pid()) && l.contains("spawned")),
                log.toString());
    }

    @Test
    void copyEnvironmentStartsEmptyAndEnvironmentGoesOnTop() throws Exception {
        Path script = phpScript();
        Map<String, String> ours = System.getenv();
        String notCopied = ours.keySet().stream().filter(n -> !n.equals("PATH")).findFirst().orElseThrow();
        SpawnedBackend backend = start(php(1).copyEnvironment(List.of("PATH", "GH_NOT_SET_ANYWHERE"))
                .environment(Map.of("GH_MARK", "mark-1")).build());
        Map<String, String> env = environ(backend.status().get(0).pid());
        assertEquals(new TreeMap<>(Map.of("PATH", ours.get("PATH"), "GH_MARK", "mark-1", "PHP_FCGI_CHILDREN", "1")),
                new TreeMap<>(env), "only the copied names, then bin-environment, then PHP_FCGI_CHILDREN");
        assertFalse(env.containsKey(notCopied));
        assertTrue(request(backend.addresses().get(0), script, "GET", "").contains("env=mark-1"));
    }

    @Test
    void withoutCopyEnvironmentTheWholeEnvironmentIsInherited() throws Exception {
        SpawnedBackend backend = start(php(1).environment(Map.of("GH_MARK", "mark-2", "PHP_FCGI_CHILDREN", "0"))
                .build());
        Map<String, String> env = environ(backend.status().get(0).pid());
        for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
            assertEquals(variable.getValue(), env.get(variable.getKey()), variable.getKey());
        }
        assertEquals("mark-2", env.get("GH_MARK"));
        assertEquals("0", env.get("PHP_FCGI_CHILDREN"), "a PHP_FCGI_CHILDREN given is kept");
    }

    @Test
    void killedChildIsNoticedAtOnceAndANewPidServesWithinThreeSeconds() throws Exception {
        Path script = phpScript();
        SpawnedBackend backend = start(php(2).environment(Map.of("PHP_FCGI_CHILDREN", "2")).build());
        long old = backend.status().get(1).pid();
        // php-cgi forks its workers after its own start-up, which a busy machine may delay past the check.
        assertTrue(eventually(3000, () -> workerPids(old).size() == 2), "workers of " + old + ": " + workerPids(old));
        List<Long> oldWorkers = workerPids(old);

        long killedAt = System.nanoTime();
        ProcessHandle.of(old).orElseThrow().destroyForcibly();
        assertTrue(eventually(1000, () -> backend.status().get(1).pid() != old), "exit noticed");
        long noticedMillis = (System.nanoTime() - killedAt) / 1_000_000;
        assertTrue(noticedMillis <= 100, "exit noticed after " + noticedMillis + " ms");
        assertTrue(backend.isAvailable(0), "the other proc stays in rotation");

        assertTrue(eventually(3000, () -> backend.isAvailable(1)), "respawned");
        ProcStatus respawned = backend.status().get(1);
        assertNotEquals(old, respawned.pid());
        assertEquals(1, respawned.restarts());
        assertEquals("signal 9 (SIGKILL)", respawned.lastExit());
        String answer = request(backend.addresses().get(1), script, "GET", "");
        long worker = Long.parseLong(answer.replaceAll("(?s).*pid=(\\d+).*", "$1"));
        assertEquals(respawned.pid(), ProcFs.stat(worker).orElseThrow().parentPid(), "served by the new child");
        assertTrue(eventually(1000, () -> oldWorkers.stream().noneMatch(ProcFs::alive)),
                "the dead master's workers were killed with its group");
        assertTrue(log.stream().anyMatch(l -> l.contains("pid " + old) && l.contains("exited (signal 9 (SIGKILL)")),
                log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("respawn scheduled (in 0 ms)")), log.toString());
    }

    private static List<Long> workerPids(long master) {
        return ProcFs.all().stream().filter(s -> s.parentPid() == master && !s.zombie()).map(ProcFs.Stat::pid).toList();
    }

    static long boundInode(Path socket) throws IOException {
        // /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path
        try (Stream<String> lines = Files.lines(Path.of("/proc/net/unix"))) {
            return lines.map(l -> l.trim().split("\\s+")).filter(f -> f.length >= 8 && f[7].equals(socket.toString()))
                    .mapToLong(f -> Long.parseLong(f[6])).findFirst()
                    .orElseThrow(() -> new AssertionError(socket + " not in /proc/net/unix"));
        }
    }

    static Map<Integer, String> fdTargets(long pid) throws IOException {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) entries::iterator) {
                try {
                    fds.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return fds;
    }

    static String statusField(long pid, String name) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).trim())
                    .findFirst().orElseThrow();
        }
    }

    /** SigBlk of the calling thread: the mask posix_spawn would pass on without SETSIGMASK. */
    static String threadMask() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/thread-self/status"))) {
            return lines.filter(l -> l.startsWith("SigBlk:")).map(l -> l.substring(7).trim()).findFirst().orElseThrow();
        }
    }

    static Map<String, String> environ(long pid) throws IOException {
        Map<String, String> env = new TreeMap<>();
        String raw = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
        for (String entry : raw.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    private static long workersOf(long pid) {
        return workerPids(pid).size();
    }
}
