package io.gatehouse.conf;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static io.gatehouse.conf.Configs.error;
import static io.gatehouse.conf.Configs.parse;
import static io.gatehouse.conf.Configs.parseLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mimetype.assign}, {@code static-file.*}, {@code etag.*} and {@code server.errorfile-prefix}:
 * defaults, values, bad values named by {@code file:line:col}, and conditional blocks.
 */
class StaticFileDirectivesTest {

    @Test
    void defaultsAreLighttpds() throws ConfigException {
        StaticFileOptions options = parse("").global().staticFiles();
        assertEquals(List.of(), options.mimeTypes());
        assertFalse(options.mimeTypesSet());
        assertTrue(options.etags());
        assertTrue(options.etagUseInode());
        assertTrue(options.etagUseMtime());
        assertTrue(options.etagUseSize());
        assertEquals(List.of(), options.excludeExtensions());
        assertEquals(Optional.empty(), options.errorfilePrefix());
    }

    @Test
    void everyDirectiveIsReadAndNoneWarns() throws ConfigException {
        ServerConfig config = parseLines(
                "mimetype.assign = ( \".gz\" => \"application/gzip\", \".tar.gz\" => \"application/x-tgz\", \"\" => \"x/any\" )",
                "static-file.etags = \"disable\"",
                "etag.use-inode = \"disable\"",
                "etag.use-mtime = \"enable\"",
                "etag.use-size = 0",
                "static-file.exclude-extensions = ( \".php\", \"~\" )",
                "server.errorfile-prefix = \"/srv/errors/status-\"");
        StaticFileOptions options = config.global().staticFiles();
        assertEquals(List.of(Map.entry(".gz", "application/gzip"), Map.entry(".tar.gz", "application/x-tgz"),
                Map.entry("", "x/any")), options.mimeTypes());
        assertTrue(options.mimeTypesSet());
        assertFalse(options.etags());
        assertFalse(options.etagUseInode());
        assertTrue(options.etagUseMtime());
        assertFalse(options.etagUseSize());
        assertEquals(List.of(".php", "~"), options.excludeExtensions());
        assertEquals(Optional.of("/srv/errors/status-"), options.errorfilePrefix());
        assertEquals(List.of(), config.warnings());
    }

    @Test
    void anEmptyAssignmentIsSetAndEmpty() throws ConfigException {
        StaticFileOptions options = parse("mimetype.assign = ()\n").global().staticFiles();
        assertTrue(options.mimeTypesSet());
        assertEquals(List.of(), options.mimeTypes());
    }

    @Test
    void useXattrIsIgnoredWithAWarning() throws ConfigException {
        assertEquals(List.of("test.conf:1:1: 'mimetype.use-xattr' is a lighttpd setting that gatehouse does not"
                + " implement (ignored)"), parse("mimetype.use-xattr = \"enable\"\n").warnings().stream()
                .map(ConfigWarning::toString).toList());
    }

    @Test
    void badValuesNameTheirPlace() {
        assertEquals("test.conf:1:19: mimetype.assign must be an array ( … ), got \"text/html\"",
                error("mimetype.assign = \"text/html\"\n"));
        assertEquals("test.conf:1:21: mimetype.assign entries need a suffix, expected ( \".html\" => \"text/html\" ),"
                + " got \"text/html\"", error("mimetype.assign = ( \"text/html\" )\n"));
        assertEquals("test.conf:1:32: mimetype.assign \".html\" must be a string (a media type), got 5",
                error("mimetype.assign = ( \".html\" => 5 )\n"));
        assertEquals("test.conf:2:21: static-file.etags must be \"enable\" or \"disable\", got \"maybe\"",
                error("\nstatic-file.etags = \"maybe\"\n"));
        assertEquals("test.conf:1:17: etag.use-size must be \"enable\" or \"disable\", got ( \"x\" )",
                error("etag.use-size = ( \"x\" )\n"));
        assertEquals("test.conf:1:27: server.errorfile-prefix must be a string, got ( \"a\" )",
                error("server.errorfile-prefix = ( \"a\" )\n"));
        assertEquals("test.conf:1:36: static-file.exclude-extensions must be a string, got ( \"a\" )",
                error("static-file.exclude-extensions = ( ( \"a\" ) )\n"));
    }

    @Test
    void conditionalBlocksOverrideOnlyWhatTheySet() throws ConfigException {
        ServerConfig config = parseLines(
                "mimetype.assign = ( \".txt\" => \"text/plain\" )",
                "server.errorfile-prefix = \"/e/\"",
                "$HTTP[\"url\"] =~ \"^/raw/\" {",
                "  static-file.etags = \"disable\"",
                "  $HTTP[\"host\"] == \"b.example\" {",
                "    mimetype.assign = ( \"\" => \"application/octet-stream\" )",
                "  }",
                "}",
                "$HTTP[\"host\"] == \"c.example\" {",
                "  static-file.exclude-extensions = ( \".inc\" )",
                "}");
        StaticFileOptions plain = config.resolve(Request.get("a.example", "/raw/x.txt")).staticFiles();
        assertFalse(plain.etags());
        assertEquals(List.of(Map.entry(".txt", "text/plain")), plain.mimeTypes());
        assertEquals(Optional.of("/e/"), plain.errorfilePrefix());
        StaticFileOptions nested = config.resolve(Request.get("b.example", "/raw/x.txt")).staticFiles();
        assertFalse(nested.etags());
        assertEquals(List.of(Map.entry("", "application/octet-stream")), nested.mimeTypes());
        StaticFileOptions elsewhere = config.resolve(Request.get("b.example", "/x.txt")).staticFiles();
        assertTrue(elsewhere.etags());
        assertEquals(List.of(Map.entry(".txt", "text/plain")), elsewhere.mimeTypes());
        StaticFileOptions hostC = config.resolve(Request.get("c.example", "/raw/x.txt")).staticFiles();
        assertEquals(List.of(".inc"), hostC.excludeExtensions());
        assertFalse(hostC.etags());
        assertEquals(List.of(), config.warnings());
    }
}
