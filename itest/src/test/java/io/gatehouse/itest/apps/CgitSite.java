package io.gatehouse.itest.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.Peers;

/**
 * cgit (Debian's {@code cgit}) and git's own smart HTTP server ({@code git http-backend}), each a
 * CGI program run by fcgiwrap, which the front end spawns through bin-path: {@value #CGIT_PREFIX}
 * browses a bare repository {@value #REPO} of a few commits with fixed dates (so the commit ids are
 * the same on every run) and serves git's dumb HTTP protocol, {@value #GIT_PREFIX} serves the smart
 * one. Everything lives in a temp directory: the repository, the cgit config, the two small
 * wrapper scripts that give each program its config (fcgiwrap passes a CGI program only the
 * request's variables), and per side a directory for the sockets and logs.
 *
 * <p>Stateless and thread-safe.
 */
final class CgitSite {

    static final String CGIT_PREFIX = "/cgit";
    static final String GIT_PREFIX = "/git";
    /** The repository's name in cgit's URLs. */
    static final String REPO = "demo";
    static final Path CGIT_CGI = Paths.get("/usr/lib/cgit/cgit.cgi");
    private static final Path CGIT_CSS = Paths.get("/usr/share/cgit/cgit.css");
    private static final Path GIT_HTTP_BACKEND = Paths.get("/usr/lib/git-core/git-http-backend");

    private CgitSite() {
    }

    /**
     * Creates the repository, the document root with the wrapper scripts and cgit's config under
     * {@code dir}, and writes the config both front ends read. Returns the config.
     */
    static Path create(Path dir) {
        Peers.requireFile(CGIT_CGI, "cgit");
        Peers.requireFile(GIT_HTTP_BACKEND, "git");
        Path fcgiwrap = Peers.require("fcgiwrap");
        try {
            Path repos = createRepository(dir);
            Path www = Files.createDirectory(dir.resolve("www"));
            Files.copy(CGIT_CSS, www.resolve("cgit.css"));
            Path cgitrc = ConfigFiles.write(dir.resolve("cgitrc"),
                    "css=/cgit.css",
                    "logo=",
                    "virtual-root=" + CGIT_PREFIX + "/",
                    "cache-size=0",
                    "enable-http-clone=1",
                    "snapshots=tar.gz tar",
                    "repo.url=" + REPO,
                    "repo.path=" + repos.resolve(REPO + ".git"),
                    "repo.desc=the e2e test repository");
            script(www.resolve(CGIT_PREFIX.substring(1)), "CGIT_CONFIG=" + cgitrc + " exec " + CGIT_CGI);
            script(www.resolve(GIT_PREFIX.substring(1)), "GIT_PROJECT_ROOT=" + repos
                    + " GIT_HTTP_EXPORT_ALL=1 exec " + GIT_HTTP_BACKEND);
            for (Side side : Side.values()) {
                Files.createDirectory(site(dir, side));
            }
            return SideBySide.writeConfig(dir.resolve("cgit.conf"),
                    "cgit and git http-backend through fcgiwrap spawned by bin-path: the same file for both", www,
                    "mimetype.assign = ( \".css\" => \"text/css\" )",
                    "fastcgi.server = (",
                    backend(CGIT_PREFIX, fcgiwrap) + ",",
                    backend(GIT_PREFIX, fcgiwrap),
                    ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cgit site under " + dir, e);
        }
    }

    /** The directory of one side's sockets and logs. */
    static Path site(Path dir, Side side) {
        return dir.resolve(side.dirName());
    }

    private static String backend(String prefix, Path fcgiwrap) {
        String name = prefix.substring(1);
        return "    " + ConfigFiles.quote(prefix) + " => ( " + ConfigFiles.quote(name) + " => (\n"
                + "        \"socket\" => var.site + \"/" + name + ".sock\",\n"
                + "        \"bin-path\" => " + ConfigFiles.quote(fcgiwrap.toString()) + ",\n"
                + "        \"check-local\" => \"disable\",\n"
                + "        \"max-procs\" => 1 ) )";
    }

    /** A bare repository {@code repos/demo.git} of three commits, with names that need escaping in URLs. */
    private static Path createRepository(Path dir) throws IOException {
        Path home = Files.createDirectory(dir.resolve("home"));
        Path work = Files.createDirectory(dir.resolve("work"));
        GitCommands.run(work, home, "init", "-q", "-b", "main");
        Files.createDirectories(work.resolve("src/main"));
        Files.createDirectories(work.resolve("docs"));
        Files.writeString(work.resolve("README"), "The e2e test repository.\n");
        Files.writeString(work.resolve("src/main.py"), "print('hello')\n");
        GitCommands.run(work, home, "add", "-A");
        GitCommands.run(work, home, "commit", "-q", "-m", "first commit");
        Files.writeString(work.resolve("docs/a b.txt"), "a file name with a space\n");
        Files.writeString(work.resolve("src/main/100%.txt"), "a file name with a percent sign\n");
        GitCommands.run(work, home, "add", "-A");
        GitCommands.run(work, home, "commit", "-q", "-m", "second commit: docs");
        Files.writeString(work.resolve("README"), "The e2e test repository, edited.\n");
        GitCommands.run(work, home, "commit", "-q", "-a", "-m", "third commit: README");
        Path repos = Files.createDirectory(dir.resolve("repos"));
        GitCommands.run(dir, home, "clone", "-q", "--bare", work.toString(), repos.resolve(REPO + ".git").toString());
        // The dumb protocol reads info/refs and objects/info/packs, which git writes only on request.
        GitCommands.run(repos.resolve(REPO + ".git"), home, "update-server-info");
        return repos;
    }

    private static void script(Path file, String command) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + command + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
