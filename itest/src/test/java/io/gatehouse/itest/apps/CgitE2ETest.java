package io.gatehouse.itest.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cgit and {@code git http-backend} (CGI programs run by fcgiwrap, spawned by bin-path) behind
 * lighttpd and behind gatehouse on the same config file: browsing, snapshots compared byte for
 * byte, and real {@code git clone}s over the dumb and the smart protocol, whose HEAD and files
 * must be the repository's.
 */
@ExtendWith(LeakCheck.class)
class CgitE2ETest {

    private static final String REPO = CgitSite.CGIT_PREFIX + "/" + CgitSite.REPO;

    private static Path dir;
    private static SideBySide servers;
    private static String head;

    @BeforeAll
    static void startBoth() {
        dir = TempDirs.create("gh-cgit");
        Path conf = CgitSite.create(dir);
        head = GitCommands.run(dir.resolve("repos").resolve(CgitSite.REPO + ".git"), dir.resolve("home"),
                "rev-parse", "HEAD").strip();
        servers = SideBySide.start(dir, conf, side -> CgitSite.site(dir, side));
    }

    @AfterAll
    static void stopBoth() {
        SideBySide.close(servers, dir);
    }

    @Test
    void browsingAndSnapshotsAnswerAsBehindLighttpd() {
        // cgit's pages differ between runs only in the times they show, which every session masks.
        PairedSession session = new PairedSession(servers, Map.of(), KnownDifferences.CGIT);
        session.expect(session.step("repository index", c -> c.get(CgitSite.CGIT_PREFIX + "/")), 200,
                "e2e test repository");
        session.expect(session.step("summary", c -> c.get(REPO + "/")), 200, "third commit: README");
        session.expect(session.step("log", c -> c.get(REPO + "/log/")), 200, "second commit: docs");
        session.expect(session.step("commit", c -> c.get(REPO + "/commit/?id=" + head)), 200, "third commit");
        session.expect(session.step("tree", c -> c.get(REPO + "/tree/src")), 200, "main.py");
        session.expect(session.step("tree, name with a space", c -> c.get(REPO + "/tree/docs/a%20b.txt")), 200,
                "a file name with a space");
        session.expect(session.step("tree, name with a percent sign",
                c -> c.get(REPO + "/tree/src/main/100%25.txt")), 200, "a file name with a percent sign");
        session.expect(session.step("tree, encoded slash", c -> c.get(REPO + "/tree/src%2Fmain.py")), 200, "hello");
        session.expect(session.step("plain file", c -> c.get(REPO + "/plain/README")), 200, "edited");
        session.expect(session.step("search", c -> c.get(REPO + "/log/?qt=grep&q=docs")), 200, "second commit");
        Map<Side, Answer> snapshot = session.expect(session.step("snapshot tar.gz",
                c -> c.get(REPO + "/snapshot/" + CgitSite.REPO + "-main.tar.gz")), 200, "");
        session.step("snapshot tar", c -> c.get(REPO + "/snapshot/" + CgitSite.REPO + "-main.tar"));
        session.step("snapshot if-none-match", (side, c) -> c.get(REPO + "/snapshot/" + CgitSite.REPO
                + "-main.tar.gz", "If-None-Match", snapshot.get(side).header("etag").orElse("\"none\"")));
        session.step("snapshot range", c -> c.get(REPO + "/snapshot/" + CgitSite.REPO + "-main.tar", "Range",
                "bytes=0-99"));
        session.expect(session.step("missing repository", c -> c.get(CgitSite.CGIT_PREFIX + "/nosuchrepo/")), 404, "");
        session.step("dumb info/refs", c -> c.get(REPO + "/info/refs"));
        session.step("smart info/refs", c -> c.get(CgitSite.GIT_PREFIX + "/" + CgitSite.REPO
                + ".git/info/refs?service=git-upload-pack"));
        session.step("static stylesheet", c -> c.get("/cgit.css"));
        for (Side side : Side.values()) {
            assertTrue(snapshot.get(side).body().length > 0, side + ": an empty snapshot");
        }
        session.assertNoUnexplainedDifferences();
    }

    @ParameterizedTest(name = "git clone {0}")
    @ValueSource(strings = {CgitSite.CGIT_PREFIX + "/" + CgitSite.REPO, CgitSite.GIT_PREFIX + "/" + CgitSite.REPO
            + ".git"})
    void gitCloneGetsTheRepositoryThroughBoth(String path) throws Exception {
        Map<Side, String> files = new LinkedHashMap<>();
        for (Side side : Side.values()) {
            Path clone = dir.resolve("clone-" + side.dirName());
            GitCommands.run(dir, dir.resolve("home"), "clone", "-q",
                    "http://127.0.0.1:" + servers.port(side) + path, clone.toString());
            try {
                assertEquals(head, GitCommands.run(clone, dir.resolve("home"), "rev-parse", "HEAD").strip(),
                        side + ": the cloned HEAD");
                assertEquals("3", GitCommands.run(clone, dir.resolve("home"), "rev-list", "--count", "HEAD").strip(),
                        side + ": the cloned history");
                files.put(side, GitCommands.run(clone, dir.resolve("home"), "ls-files", "-s"));
                assertEquals("The e2e test repository, edited.\n", Files.readString(clone.resolve("README")));
            } finally {
                TempDirs.deleteRecursively(clone);
            }
        }
        assertEquals(files.get(Side.LIGHTTPD), files.get(Side.GATEHOUSE), "the files of the two clones");
    }
}
