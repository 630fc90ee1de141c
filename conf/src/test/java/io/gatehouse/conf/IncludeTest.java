package io.gatehouse.conf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** include and include_shell against real files and a real shell, relative to the main file. */
class IncludeTest {

    @TempDir
    Path dir;

    private Path main;

    @BeforeEach
    void mainFileInItsOwnDirectory() throws IOException {
        Files.createDirectories(dir.resolve("etc/conf.d"));
        main = dir.resolve("etc/main.conf");
    }

    private ServerConfig parseMain(String text) throws Exception {
        Files.writeString(main, text);
        return ConfigParser.parse(main, Map.of("GH_TEST", "from-env", "SRCDIR", dir.toString()));
    }

    private String mainError(String text) throws IOException {
        Files.writeString(main, text);
        return assertThrows(ConfigException.class,
                () -> ConfigParser.parse(main, Map.of("GH_TEST", "from-env"))).getMessage();
    }

    private void write(String relative, String text) throws IOException {
        Files.writeString(dir.resolve("etc").resolve(relative), text);
    }

    @Test
    void globWithBracesIsRelativeToTheMainFileAndSortedPerAlternative() throws Exception {
        write("conf.d/20-b.conf", "index-file.names += ( \"b\" )\n");
        write("conf.d/10-a.conf", "index-file.names += ( \"a\" )\n");
        write("conf.d/.hidden.conf", "index-file.names += ( \"hidden\" )\n");
        write("conf.d/x.conf", "index-file.names += ( \"x\" )\n");
        write("conf.d/y.txt", "index-file.names += ( \"y\" )\n");
        ServerConfig config = parseMain("include \"conf.d/{x,[0-9]*}.conf\"\ninclude \"conf.d/*.txt\"\n");
        assertEquals(List.of("x", "a", "b", "y"), config.global().indexFiles());
        assertEquals(main, config.source().get());
    }

    @Test
    void questionMarkAndNegatedClass() throws Exception {
        write("conf.d/a1.conf", "index-file.names += ( \"a1\" )\n");
        write("conf.d/b1.conf", "index-file.names += ( \"b1\" )\n");
        write("conf.d/a22.conf", "index-file.names += ( \"a22\" )\n");
        ServerConfig config = parseMain("include \"conf.d/[!b]?.conf\"\n");
        assertEquals(List.of("a1"), config.global().indexFiles());
    }

    @Test
    void globMatchingNothingIsFine() throws Exception {
        ServerConfig config = parseMain("include \"conf.d/*.none\"\ninclude \"nowhere/{a,b}.conf\"\nserver.tag = \"ok\"\n");
        assertEquals("ok", config.serverTag());
    }

    @Test
    void absolutePathsAndIncludesFromIncludedFilesStillStartAtTheMainDirectory() throws Exception {
        write("conf.d/outer.conf", "include \"conf.d/inner.conf\"\n");
        write("conf.d/inner.conf", "server.tag = \"inner\"\n");
        ServerConfig config = parseMain("include \"" + dir.resolve("etc/conf.d/outer.conf") + "\"\n");
        assertEquals("inner", config.serverTag());
    }

    @Test
    void includedStatementsJoinTheEnclosingBlock() throws Exception {
        write("conf.d/vhost.conf", "server.document-root = \"/srv/a\"\n");
        ServerConfig config = parseMain("$HTTP[\"host\"] == \"a\" {\n  include \"conf.d/vhost.conf\"\n}\n");
        assertTrue(config.global().documentRoot().isEmpty());
        assertEquals(Path.of("/srv/a"), config.resolve(Request.get("a", "/")).documentRoot().get());
    }

    @Test
    void theLighttpdTestSuiteIncludeIdiom() throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("tmp/bind-1.conf"), "server.bind = \"127.0.0.1\"\n");
        Files.writeString(dir.resolve("tmp/bind-2.conf"), "server.port = 2048\n");
        ServerConfig config = parseMain("include env.SRCDIR + \"/tmp/bind*.conf\"\n");
        assertEquals("127.0.0.1:2048", config.listeners().get(0).token());
    }

    @Test
    void missingPlainFileIsAnErrorAtTheIncludeStatement() throws Exception {
        String message = mainError("server.tag = \"x\"\n  include \"conf.d/missing.conf\"\n");
        assertEquals(main + ":2:3: include file not found: " + dir.resolve("etc/conf.d/missing.conf")
                + ", expected an existing file (a glob pattern may match nothing)", message);
    }

    @Test
    void errorsInsideAnIncludedFileNameThatFile() throws Exception {
        write("conf.d/bad.conf", "\n\nserver.port = \"x\"\n");
        assertEquals(dir.resolve("etc/conf.d/bad.conf") + ":3:15: server.port must be an integer, got \"x\"",
                mainError("include \"conf.d/bad.conf\"\n"));
        write("conf.d/syntax.conf", "x = (\n");
        assertEquals(dir.resolve("etc/conf.d/syntax.conf") + ":2:1: unexpected end of file, expected a value or ')'",
                mainError("include \"conf.d/syntax.conf\"\n"));
    }

    @Test
    void includingADirectoryIsAnError() throws Exception {
        assertEquals(main + ":1:1: cannot read config file " + dir.resolve("etc/conf.d")
                + ": it is a directory, expected a regular file", mainError("include \"conf.d\"\n"));
    }

    @Test
    void includeCyclesAreErrors() throws Exception {
        write("conf.d/a.conf", "include \"conf.d/b.conf\"\n");
        write("conf.d/b.conf", "\ninclude \"main.conf\"\n");
        Path a = dir.resolve("etc/conf.d/a.conf").toRealPath();
        Path b = dir.resolve("etc/conf.d/b.conf").toRealPath();
        String message = mainError("include \"conf.d/a.conf\"\n");
        Path realMain = main.toRealPath();
        assertEquals(b + ":2:1: include cycle: " + realMain + " -> " + a + " -> " + b + " -> " + realMain
                + ", expected each file to be included once per chain", message);
    }

    @Test
    void includingTheSameFileTwiceInSequenceIsNoCycle() throws Exception {
        write("conf.d/idx.conf", "index-file.names += ( \"i\" )\n");
        ServerConfig config = parseMain("include \"conf.d/idx.conf\"\ninclude \"conf.d/idx.conf\"\n");
        assertEquals(List.of("i", "i"), config.global().indexFiles());
    }

    @Test
    void includeShellRunsInTheMainDirectoryWithTheGivenEnvironment() throws Exception {
        write("gen.sh", "echo \"server.tag = \\\"$(pwd)|$GH_TEST\\\"\"\necho 'server.port = 8090'\n");
        ServerConfig config = parseMain("include_shell \"sh gen.sh\"\n");
        assertEquals(dir.resolve("etc").toRealPath() + "|from-env", config.serverTag());
        assertEquals(8090, config.listeners().get(0).port());
    }

    @Test
    void includeShellFailureNamesTheCommandAndStatus() throws Exception {
        assertEquals(main + ":2:1: include_shell \"echo oops >&2; exit 3\" exited with status 3 (stderr: oops),"
                + " expected status 0", mainError("\ninclude_shell \"echo oops >&2; exit 3\"\n"));
    }

    @Test
    void errorsInIncludeShellOutputNameTheCommand() throws Exception {
        assertEquals("echo 'x = = 1':1:5: unexpected '=', expected a value",
                mainError("include_shell \"echo 'x = = 1'\"\n"));
    }

    @Test
    void includeShellThatIncludesItselfStopsAtTheDepthLimit() throws Exception {
        write("self.conf", "include_shell \"cat self.conf\"\n");
        String message = mainError("include \"self.conf\"\n");
        assertEquals("cat self.conf:1:1: includes nested deeper than the limit of 32, expected a shallower include chain",
                message);
    }

    @Test
    void missingMainFileIsAnError() {
        Path missing = dir.resolve("nope.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(missing, Map.of()));
        assertEquals(missing + ":1:1: cannot read config file " + missing + ": no such file, expected an existing file",
                e.getMessage());
    }
}
