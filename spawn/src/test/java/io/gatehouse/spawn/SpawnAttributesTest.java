package io.gatehouse.spawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.gatehouse.spawn.internal.ProcFs;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What posix_spawn hands a child, seen on a shell script that opens nothing itself. */
class SpawnAttributesTest extends SpawnTestSupport {

    /** Bits of SIGCANCEL (32) and SIGSETXID (33) in a /proc SigIgn mask. */
    private static final long GLIBC_INTERNAL_SIGNALS = (1L << 31) | (1L << 32);

    @Test
    void childGetsExactlyItsSocketDevNullAndTheStderrFileInItsOwnSessionAndDirectory() throws Exception {
        Path stderr = dir.resolve("logs/breakage.log");
        Files.createDirectories(stderr.getParent());
        Path child = script("child.sh", "echo \"child $1 $2 writes to stderr\" >&2\nexec sleep 600");
        SpawnedBackend backend = start(SpawnSpec.builder("plain", SpawnSpec.splitBinPath(child + " \targ-one  arg-two"))
                .socket(dir.resolve("p.sock")).procs(1).stderrFile(stderr).build());
        long pid = backend.status().get(0).pid();
        String mask = PhpCgiSpawnTest.threadMask();
        assertTrue(eventually(2000, () -> readQuietly(stderr).contains("child arg-one arg-two writes to stderr")),
                "stderr reached " + stderr + ": " + readQuietly(stderr));
        assertTrue(eventually(2000, () -> cmdline(pid).startsWith("sleep")), "exec'd sleep: " + cmdline(pid));

        Map<Integer, String> fds = PhpCgiSpawnTest.fdTargets(pid);
        long inode = PhpCgiSpawnTest.boundInode(Path.of(dir.resolve("p.sock") + "-0"));
        assertEquals(Map.of(0, "socket:[" + inode + "]", 1, "/dev/null", 2, stderr.toString()), fds);
        ProcFs.Stat stat = ProcFs.stat(pid).orElseThrow();
        assertEquals(pid, stat.processGroup());
        assertEquals(pid, sessionOf(pid), "own session");
        assertEquals("0000000000000000", PhpCgiSpawnTest.statusField(pid, "SigBlk"));
        assertNotEquals("0000000000000000", mask, "the spawning thread blocks SIGQUIT: the check above can fail");
        // glibc's posix_spawn leaves its two internal signals (32, 33) ignored; no other may be
        long ignored = Long.parseLong(PhpCgiSpawnTest.statusField(pid, "SigIgn"), 16);
        assertEquals(0, ignored & ~GLIBC_INTERNAL_SIGNALS, "ignored signals " + Long.toHexString(ignored));
        assertEquals(dir, Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")));
    }

    @Test
    void programIsLookedUpInPathWhenItHasNoSlash() throws Exception {
        SpawnedBackend backend = start(SpawnSpec.builder("sleep", List.of("sleep", "600"))
                .socket(dir.resolve("q.sock")).procs(1).build());
        long pid = backend.status().get(0).pid();
        assertEquals("sleep\0" + "600\0", cmdline(pid));
        Path cwd = Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"));
        assertTrue(Files.isExecutable(cwd.resolve("sleep")), "cwd " + cwd + " is where sleep was found");
    }

    @Test
    void relativeProgramPathIsResolvedAgainstOurDirectoryNotTheChildsNewOne() throws Exception {
        Path child = script("rel.sh", "exec sleep 600");
        Path relative = Path.of("").toAbsolutePath().relativize(child);
        assertTrue(relative.toString().contains("/") && !relative.isAbsolute(), relative.toString());
        SpawnedBackend backend = start(SpawnSpec.builder("rel", List.of(relative.toString()))
                .socket(dir.resolve("r.sock")).procs(1).build());
        long pid = backend.status().get(0).pid();
        assertTrue(ProcFs.alive(pid));
        assertEquals(dir, Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")));
    }

    @Test
    void binPathThatIsNoExecutableFileFailsNamingIt() throws Exception {
        Path notExecutable = dir.resolve("plain.txt");
        Files.writeString(notExecutable, "#!/bin/sh\n");
        for (String program : List.of(notExecutable.toString(), dir.resolve("missing").toString(), dir.toString(),
                "no-such-program-anywhere")) {
            SpawnException e = assertThrows(SpawnException.class, () -> start(SpawnSpec.builder("bad",
                    List.of(program)).socket(dir.resolve("b.sock")).procs(1).build()));
            assertEquals("GH-SPAWN-001", e.id(), e.getMessage());
            assertTrue(e.getMessage().contains(program), e.getMessage());
        }
    }

    @Test
    void scriptWithoutInterpreterLineReportsTheRealErrno() throws Exception {
        Path noShebang = dir.resolve("noshebang");
        Files.writeString(noShebang, "echo hi\n");
        noShebang.toFile().setExecutable(true);
        SpawnException e = assertThrows(SpawnException.class, () -> start(SpawnSpec.builder("noexec",
                List.of(noShebang.toString())).socket(dir.resolve("n.sock")).procs(1).build()));
        assertEquals("GH-SPAWN-004", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains("ENOEXEC (Exec format error)") && e.getMessage().contains("#! line"),
                e.getMessage());
    }

    @Test
    void unwritableStderrFileReportsTheRealErrno() throws Exception {
        Path child = script("child.sh", "exec sleep 600");
        SpawnException e = assertThrows(SpawnException.class, () -> start(SpawnSpec.builder("noerr",
                List.of(child.toString())).socket(dir.resolve("e.sock")).procs(1)
                .stderrFile(dir.resolve("no-such-dir/err.log")).build()));
        assertEquals("GH-SPAWN-004", e.id(), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static long sessionOf(long pid) throws IOException {
        String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(line.substring(line.lastIndexOf(')') + 2).split(" ")[3]);
    }
}
