package io.gatehouse.itest.apps;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import io.gatehouse.itest.support.LeakCheck;
import io.gatehouse.itest.support.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DokuWiki (Debian's {@code dokuwiki}, php-cgi spawned by bin-path) behind lighttpd and behind
 * gatehouse on the same config file: the same browsing, editing, login and media sessions run
 * through both, and every answer is compared (see {@link Comparison}). Each side's answers are
 * also checked for what the step must do, so two equally broken answers do not pass.
 */
@ExtendWith(LeakCheck.class)
class DokuWikiE2ETest {

    /** Indexing one small page takes milliseconds; a loaded CI machine may take far longer. */
    private static final Duration INDEXING_TIMEOUT = Duration.ofSeconds(10);
    private static final String NEW_TEXT = "Edited through the front end: gatehouse e2e marker.";

    private static Path dir;
    private static SideBySide servers;

    @BeforeAll
    static void startBoth() {
        dir = TempDirs.create("gh-dw");
        Path conf = DokuWikiSite.writeConfig(dir);
        servers = SideBySide.start(dir, conf, side -> DokuWikiSite.createSite(dir, side));
    }

    @AfterAll
    static void stopBoth() {
        SideBySide.close(servers, dir);
    }

    @Test
    void pagesEditSaveRevisionsAndSearchAnswerAsBehindLighttpd() {
        PairedSession session = session();
        session.expect(session.step("start page", c -> c.get("/")), 200, "Welcome to the");
        session.step("start page by id", c -> c.get("/doku.php?id=start"));
        session.expect(session.step("start page by path info", c -> c.get("/doku.php/start")), 200, "Welcome to the");
        session.expect(session.step("missing page by path info", c -> c.get("/doku.php/wiki/syntax")), 404, "");
        // The first request builds css.php's cache; later ones are validated against the cache file's time.
        session.step("stylesheet", c -> c.get("/lib/exe/css.php?t=dokuwiki"));
        Map<Side, Answer> css = session.expect(session.step("stylesheet from the cache",
                c -> c.get("/lib/exe/css.php?t=dokuwiki")), 200, "");
        expectStatus(session.step("stylesheet if-none-match", (side, c) -> c.get("/lib/exe/css.php?t=dokuwiki",
                "If-None-Match", css.get(side).header("etag").orElse("\"none\""))), 304);
        session.step("script gzip", c -> c.get("/lib/exe/js.php?t=dokuwiki", "Accept-Encoding", "gzip"));
        session.expect(session.step("missing page", c -> c.get("/doku.php?id=nosuchpage")), 404, "");
        session.step("static missing file", c -> c.get("/nosuchfile.html"));
        session.step("directory without slash", c -> c.get("/lib/tpl?x=1"));

        Map<Side, Answer> form = session.expect(session.step("edit form", c -> c.get("/doku.php?id=start&do=edit")),
                200, "dw__editform");
        Map<Side, Answer> saved = session.step("save", (side, c) -> {
            Map<String, String> fields = new LinkedHashMap<>(HtmlForms.hiddenFields(form.get(side).text(),
                    "id=\"dw__editform\""));
            fields.put("wikitext", "====== Start ======\n\n" + NEW_TEXT + "\n");
            fields.put("summary", "edited by the e2e test");
            fields.put("do[save]", "Save");
            return c.postForm("/doku.php?id=start", fields);
        });
        for (Side side : Side.values()) {
            assertEquals(302, saved.get(side).status(), side + ": " + saved.get(side));
        }
        session.expect(session.step("page after save", (side, c) ->
                c.get(relative(saved.get(side).header("location").orElseThrow()))), 200, NEW_TEXT);
        session.expect(session.step("revisions", c -> c.get("/doku.php?id=start&do=revisions")), 200,
                "edited by the e2e test");
        session.step("diff", c -> c.get("/doku.php?id=start&do=diff"));
        session.step("indexer", c -> c.get("/lib/exe/taskrunner.php?id=start"));
        // The task runner answers at once and indexes afterwards.
        session.await("indexing", c -> c.get("/doku.php?do=search&id=start&q=marker"),
                answer -> answer.text().contains("search_fulltextresult"), INDEXING_TIMEOUT);
        session.expect(session.step("search", c -> c.get("/doku.php?do=search&id=start&q=marker")), 200,
                "search_fulltextresult");
        // Pages only: the media test's upload may share the second of the edit, ordered either way.
        session.step("feed", c -> c.get("/feed.php?view=pages"));
        session.assertNoUnexplainedDifferences();
    }

    @Test
    void loginSetsItsCookieAndRedirectsAsBehindLighttpd() {
        PairedSession session = session();
        Map<Side, Answer> form = session.expect(session.step("login form", c -> c.get("/doku.php?id=start&do=login")),
                200, "dw__login");
        session.expect(session.step("wrong password", (side, c) -> c.postForm("/doku.php?id=start",
                login(form.get(side), "not-the-password"))), 403, "dw__login");
        Map<Side, Answer> loggedIn = session.step("login", (side, c) -> c.postForm("/doku.php?id=start",
                login(form.get(side), DokuWikiSite.USER_PASSWORD)));
        for (Side side : Side.values()) {
            assertEquals(302, loggedIn.get(side).status(), side + ": " + loggedIn.get(side));
            assertTrue(loggedIn.get(side).headers("set-cookie").stream()
                    .anyMatch(c -> c.startsWith("DW") && !c.contains("=deleted")), side + ": no login cookie");
        }
        session.expect(session.step("page as logged-in user", c -> c.get("/doku.php?id=start")), 200, "Test User");
        session.assertNoUnexplainedDifferences();
    }

    @Test
    void mediaUploadAndRangedConditionalDownloadAnswerAsBehindLighttpd() throws IOException {
        PairedSession session = session();
        byte[] png = png();
        Map<Side, Answer> manager = session.expect(session.step("media manager",
                c -> c.get("/doku.php?id=start&do=media&ns=&tab_files=upload")), 200, "dw__upload");
        Map<Side, Answer> uploaded = session.step("upload", (side, c) -> c.postMultipart(
                HtmlForms.action(manager.get(side).text(), "id=\"dw__upload\""),
                HtmlForms.hiddenFields(manager.get(side).text(), "id=\"dw__upload\""),
                "upload", "e2e.png", "image/png", png));
        session.step("media list", c -> c.get("/doku.php?id=start&do=media&ns="));
        Map<Side, Answer> download = session.step("download", c -> c.get("/lib/exe/fetch.php?media=e2e.png"));
        for (Side side : Side.values()) {
            assertEquals(200, download.get(side).status(), side + ": upload " + uploaded.get(side));
            assertArrayEquals(png, download.get(side).body(), side + ": the uploaded bytes");
        }
        Map<Side, Answer> range = session.step("download range",
                c -> c.get("/lib/exe/fetch.php?media=e2e.png", "Range", "bytes=4-11"));
        expectStatus(range, 206);
        expectStatus(session.step("download if-none-match", (side, c) -> c.get("/lib/exe/fetch.php?media=e2e.png",
                "If-None-Match", download.get(side).header("etag").orElse("\"none\""))), 304);
        expectStatus(session.step("download if-modified-since", (side, c) -> c.get(
                "/lib/exe/fetch.php?media=e2e.png", "If-Modified-Since",
                download.get(side).header("last-modified").orElse("Thu, 01 Jan 1970 00:00:00 GMT"))), 304);
        Map<Side, Answer> logo = session.step("static image", c -> c.get("/lib/tpl/dokuwiki/images/logo.png"));
        session.step("static image range", c -> c.get("/lib/tpl/dokuwiki/images/logo.png", "Range", "bytes=0-9"));
        session.step("static image if-none-match", (side, c) -> c.get("/lib/tpl/dokuwiki/images/logo.png",
                "If-None-Match", logo.get(side).header("etag").orElse("\"none\"")));
        session.step("static image if-modified-since", (side, c) -> c.get("/lib/tpl/dokuwiki/images/logo.png",
                "If-Modified-Since", logo.get(Side.LIGHTTPD).header("last-modified").orElseThrow()));
        session.assertNoUnexplainedDifferences();
    }

    private static Map<String, String> login(Answer form, String password) {
        Map<String, String> fields = new LinkedHashMap<>(HtmlForms.hiddenFields(form.text(), "id=\"dw__login\""));
        fields.put("u", DokuWikiSite.USER);
        fields.put("p", password);
        return fields;
    }

    /** A session compared with what differs legitimately between two runs of DokuWiki. */
    private static PairedSession session() {
        Map<Pattern, String> masks = new LinkedHashMap<>();
        // The cookie name hashes the port (DokuWiki's securecookie), tokens and digests are random.
        masks.put(Pattern.compile("[0-9a-f]{32}"), "<md5>");
        // Image links carry a token made with the installation's own secret.
        masks.put(Pattern.compile("tok=[0-9a-f]{6}"), "tok=<token>");
        // Revisions, form dates and cache-busters are Unix times.
        masks.put(Pattern.compile("\\b1[6-9][0-9]{8}\\b"), "<unix-time>");
        return new PairedSession(servers, masks, KnownDifferences.DOKUWIKI);
    }

    private static String relative(String location) {
        return location.replaceFirst("^https?://[^/]+", "");
    }

    private static void expectStatus(Map<Side, Answer> answers, int status) {
        for (Side side : Side.values()) {
            assertEquals(status, answers.get(side).status(), side + ": " + answers.get(side));
        }
    }

    /** A small real PNG, as a user would upload it. */
    private static byte[] png() throws IOException {
        BufferedImage image = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < image.getWidth(); x++) {
            image.setRGB(x, x % image.getHeight(), 0x3366cc);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

}
