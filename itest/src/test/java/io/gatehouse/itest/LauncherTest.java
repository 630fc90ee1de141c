package io.gatehouse.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.FreePort;
import io.gatehouse.itest.support.GatehouseProcess;
import io.gatehouse.itest.support.HttpClients;
import io.gatehouse.itest.support.Peers;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/gatehouse}, the launcher the README and the benchmarks run: it must become the java
 * process itself (pid files, signals and systemd see that pid), with its heap and GC settings
 * and the user's extra options after them, and keep a class-data-sharing archive next to the jar.
 */
class LauncherTest {

    private static final Path LAUNCHER = GatehouseProcess.repoRoot().resolve("bin/gatehouse");

    private Path dir;

    @BeforeEach
    void createDir() {
        dir = TempDirs.create("gh-launcher");
    }

    @AfterEach
    void deleteDir() {
        TempDirs.deleteRecursively(dir);
    }

    @Test
    void becomesTheJavaProcessWithItsSettingsAndTheUsersAfterThem() throws Exception {
        int port = FreePort.get();
        Path conf = staticSite(port);
        Process launcher = start(Map.of("GATEHOUSE_JAVA_OPTS", "-Dlauncher.test=yes", "GATEHOUSE_HEAP", "48m"),
                "-D", "-f", conf.toString());
        try {
            awaitAnswer(port, launcher, dir.resolve("launcher.log"));
            List<String> argv = commandLine(launcher.pid());
            assertTrue(argv.get(0).endsWith("java"), "the launcher's pid runs java itself: " + argv);
            int serial = argv.indexOf("-XX:+UseSerialGC");
            int user = argv.indexOf("-Dlauncher.test=yes");
            assertTrue(serial > 0 && argv.contains("-Xms48m") && argv.contains("-Xmx48m")
                    && argv.contains("-XX:OnOutOfMemoryError=kill -9 %p") && !argv.contains("-XX:+ExitOnOutOfMemoryError")
                    && argv.contains("-Djnr.ffi.asm.enabled=false"),
                    argv.toString());
            assertTrue(user > serial && user < argv.indexOf("-jar"), "user options come after ours: " + argv);
            assertEquals("-D", argv.get(argv.indexOf("-jar") + 2), "gatehouse's arguments are passed on: " + argv);
        } finally {
            launcher.destroy(); // SIGTERM: gatehouse's fast stop
            assertTrue(launcher.waitFor(10, TimeUnit.SECONDS), "gatehouse did not stop on SIGTERM");
        }
    }

    @Test
    void theFirstRunArchivesItsClassesAndTheNextMapsThem() throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        archivesOnTheFirstRunAndUsesTheArchiveLater(java, "cds", "jsa", "-XX:ArchiveClassesAtExit", "-XX:SharedArchiveFile");
    }

    @Test
    void onJdk25TheArchiveIsAnAheadOfTimeCache() throws Exception {
        archivesOnTheFirstRunAndUsesTheArchiveLater(jdkOfRelease(25), "aot", "aot", "-XX:AOTCacheOutput", "-XX:AOTCache");
    }

    /**
     * Runs that check the config or print and exit write no archive; the first run of {@code java}
     * that serves writes {@code gatehouse-KIND-<key>.SUFFIX.<pid>} with {@code writeOption}, the
     * next takes it into place and runs with {@code useOption}, and the classes come from it, the
     * libc binding's too although the writing run spawned nothing; {@code GATEHOUSE_CDS=off}
     * passes neither.
     */
    private void archivesOnTheFirstRunAndUsesTheArchiveLater(Path java, String kind, String suffix,
            String writeOption, String useOption) throws Exception {
        Path jar = Files.copy(GatehouseProcess.jar(), dir.resolve("gatehouse.jar"));
        int port = FreePort.get();
        Path conf = staticSite(port);
        Path classLog = dir.resolve("classes.log");
        Map<String, String> env = Map.of("GATEHOUSE_JAR", jar.toString(), "GATEHOUSE_JAVA", java.toString(),
                "GATEHOUSE_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog);
        String archive = dir + "/gatehouse-" + kind + "-[0-9]+\\." + suffix;

        for (List<String> check : List.of(List.of("-tt", "-f", conf.toString()), List.of("-v"))) {
            Process checking = start(env, check.toArray(String[]::new));
            assertTrue(checking.waitFor(60, TimeUnit.SECONDS), check + " did not exit");
            assertEquals(0, checking.exitValue(), check + ": " + Files.readString(dir.resolve("launcher.log")));
            assertEquals(List.of(), archiveFiles(), check + " writes no archive: its classes would slow every later start");
        }

        // A first run that neither spawns nor serves files: nothing in it needs the libc binding.
        Path noFiles = ConfigFiles.write(dir.resolve("nofiles.conf"), "server.bind = \"127.0.0.1\"",
                "server.port = " + port);
        long firstPid = runAndStop(env, port, noFiles, argv -> assertTrue(argv.stream().anyMatch(
                a -> a.matches(writeOption + "=" + archive + "\\.[0-9]+")), argv.toString()));
        List<String> written = archiveFiles();
        assertEquals(1, written.size(), "the archive, and nothing else left behind: " + written);
        assertTrue(written.get(0).matches("gatehouse-" + kind + "-[0-9]+\\." + suffix + "\\." + firstPid),
                "written under the writer's pid: " + written);

        runAndStop(env, port, spawningSite(port), argv -> assertTrue(argv.stream().anyMatch(
                a -> a.matches(useOption + "=" + archive)), argv.toString()));
        List<String> promoted = archiveFiles();
        assertEquals(1, promoted.size(), promoted.toString());
        assertTrue(promoted.get(0).endsWith("." + suffix), "the finished archive was taken into place: " + promoted);
        String classes = Files.readString(classLog);
        assertTrue(classes.contains("io.gatehouse.core.Main source: shared objects file"),
                "gatehouse's classes came from the archive");
        assertTrue(classes.contains("jnr.ffi.LibraryLoader source: shared objects file"),
                "the libc binding's classes came from the archive");

        Map<String, String> off = Map.of("GATEHOUSE_JAR", jar.toString(), "GATEHOUSE_JAVA", java.toString(),
                "GATEHOUSE_CDS", "off");
        runAndStop(off, port, conf, argv -> assertTrue(argv.stream().noneMatch(
                a -> a.startsWith(writeOption) || a.startsWith(useOption)), argv.toString()));
    }

    /**
     * The java of a JDK under /usr/lib/jvm whose release is {@code feature} or later (Temurin's, on
     * the machines the tests run on); fails the test when there is none.
     */
    private static Path jdkOfRelease(int feature) throws IOException {
        Pattern version = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);
        try (var jdks = Files.list(Paths.get("/usr/lib/jvm"))) {
            for (Path jdk : jdks.sorted().toList()) {
                Path release = jdk.resolve("release");
                Path java = jdk.resolve("bin/java");
                if (Files.isRegularFile(release) && Files.isExecutable(java)) {
                    Matcher matcher = version.matcher(Files.readString(release));
                    if (matcher.find() && Integer.parseInt(matcher.group(1)) >= feature) {
                        return java;
                    }
                }
            }
        }
        throw new AssertionError("no JDK " + feature + " or later under /usr/lib/jvm (install Temurin's)");
    }

    /** Starts the launcher, checks its command line once it answers, stops it (SIGTERM); returns its pid. */
    private long runAndStop(Map<String, String> env, int port, Path conf,
            Consumer<List<String>> checkCommandLine) throws Exception {
        Process launcher = start(env, "-D", "-f", conf.toString());
        try {
            awaitAnyAnswer(port, launcher, dir.resolve("launcher.log"));
            checkCommandLine.accept(commandLine(launcher.pid()));
        } finally {
            launcher.destroy();
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "gatehouse did not stop on SIGTERM");
        }
        assertEquals(0, launcher.exitValue(), Files.readString(dir.resolve("launcher.log")));
        String output = Files.readString(dir.resolve("launcher.log"));
        assertTrue(!output.contains("[warning]") && !output.contains("[error]"), "the JVM stays quiet: " + output);
        return launcher.pid();
    }

    private List<String> archiveFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("gatehouse-")).sorted()
                    .toList();
        }
    }

    @Test
    void outOfMemoryEndsTheProcessByKillNeverWithTheConfigErrorStatus() throws Exception {
        // The launcher's JVM options around a program that only fills its heap: the same flags
        // gatehouse runs with, and an out-of-memory that does not depend on what gatehouse holds.
        Path jar = dir.resolve("hog.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, HeapHog.class.getName());
        String entry = HeapHog.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                InputStream in = HeapHog.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
        }
        Process launcher = start(Map.of("GATEHOUSE_JAR", jar.toString(), "GATEHOUSE_HEAP", "16m",
                "GATEHOUSE_CDS", "off"));
        assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the process did not end");
        String output = Files.readString(dir.resolve("launcher.log"));
        assertEquals(128 + 9, launcher.exitValue(), "killed by SIGKILL, not status 3 (config error): " + output);
        assertTrue(output.contains("java.lang.OutOfMemoryError: Java heap space"), output);
        assertTrue(output.contains("kill -9 " + launcher.pid()), "the launcher's pid is the java killed: " + output);
    }

    /** Fills the heap until it is out of memory. */
    public static final class HeapHog {

        public static void main(String[] args) {
            List<long[]> held = new ArrayList<>();
            while (true) {
                held.add(new long[1 << 16]);
            }
        }
    }

    @Test
    void theIoThreadsPropertyInTheUsersOptionsSetsTheNumberOfIoThreads() throws Exception {
        int port = FreePort.get();
        Path conf = staticSite(port);
        Process launcher = start(Map.of("GATEHOUSE_JAVA_OPTS", "-Dgatehouse.io-threads=3"), "-D", "-f",
                conf.toString());
        try {
            awaitAnswer(port, launcher, dir.resolve("launcher.log"));
            assertEquals(List.of("gatehouse I/O-1", "gatehouse I/O-2", "gatehouse I/O-3"),
                    threadNames(launcher.pid(), "gatehouse I/O-"));
        } finally {
            launcher.destroy();
            assertTrue(launcher.waitFor(10, TimeUnit.SECONDS), "gatehouse did not stop on SIGTERM");
        }
    }

    @Test
    void anIoThreadsValueThatIsNoNumberIsAUsageError() throws Exception {
        Path conf = staticSite(FreePort.get());
        Process launcher = start(Map.of("GATEHOUSE_JAVA_OPTS", "-Dgatehouse.io-threads=many"), "-D", "-f",
                conf.toString());
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
        assertEquals(2, launcher.exitValue());
        String output = Files.readString(dir.resolve("launcher.log"));
        assertTrue(output.contains("-Dgatehouse.io-threads=many is not a number of I/O threads"), output);
    }

    @Test
    void aMissingJarIsNamedAndExitsOne() throws Exception {
        Process launcher = start(Map.of("GATEHOUSE_JAR", dir.resolve("absent.jar").toString()), "-v");
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
        assertEquals(1, launcher.exitValue());
        String output = Files.readString(dir.resolve("launcher.log"));
        assertTrue(output.contains("no gatehouse.jar found"), output);
    }

    private Path staticSite(int port) throws IOException {
        Path docroot = Files.createDirectories(dir.resolve("www"));
        Files.writeString(docroot.resolve("index.html"), "launched\n");
        return ConfigFiles.write(dir.resolve("gatehouse.conf"),
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.document-root = " + ConfigFiles.quote(docroot.toString()));
    }

    /** {@link #staticSite} with php-cgi spawned for {@code .php}. */
    private Path spawningSite(int port) throws IOException {
        staticSite(port);
        return ConfigFiles.write(dir.resolve("spawning.conf"),
                "include " + ConfigFiles.quote(dir.resolve("gatehouse.conf").toString()),
                "server.modules += ( \"mod_fastcgi\" )",
                "fastcgi.server = ( \".php\" => ( \"php\" => ( \"bin-path\" => "
                        + ConfigFiles.quote(Peers.require("php-cgi").toString()) + ", \"max-procs\" => 1,"
                        + " \"socket\" => " + ConfigFiles.quote(dir.resolve("php.sock").toString()) + " ) ) )");
    }

    private Process start(Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("launcher.log").toFile());
        builder.environment().put("GATEHOUSE_JAVA", Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static void awaitAnswer(int port, Process launcher, Path log) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                HttpResponse<String> response = HttpClients.get(port, "/index.html");
                assertEquals("launched\n", response.body());
                return;
            } catch (IOException e) {
                if (!launcher.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("gatehouse did not answer: " + Files.readString(log), e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Waits until {@code port} answers an HTTP request for {@code /}, whatever its status. */
    private static void awaitAnyAnswer(int port, Process launcher, Path log) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                HttpClients.get(port, "/");
                return;
            } catch (IOException e) {
                if (!launcher.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("gatehouse did not answer: " + Files.readString(log), e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** The names of {@code pid}'s threads that start with {@code prefix}, sorted (Linux keeps 15 characters). */
    private static List<String> threadNames(long pid, String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
                if (name.startsWith(prefix)) {
                    names.add(name);
                }
            }
        }
        names.sort(null);
        return names;
    }

    private static List<String> commandLine(long pid) throws IOException {
        String raw = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8);
        return List.of(raw.split("\0"));
    }
}
