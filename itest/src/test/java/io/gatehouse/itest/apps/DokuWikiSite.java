package io.gatehouse.itest.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

import io.gatehouse.itest.support.ConfigFiles;
import io.gatehouse.itest.support.Peers;

/**
 * DokuWiki as Debian's {@code dokuwiki} package installs it, served from
 * {@value #INSTALL_DIR} (read only) by php-cgi spawned through bin-path, with everything it
 * writes in a temp directory: per side a {@code conf/} (a copy of {@code /etc/dokuwiki} with its
 * own ACL and user files), a {@code data/} with a start page, PHP's session files, and a prepend
 * file that points DokuWiki there ({@code DOKU_CONF}). Nothing of the system is written.
 *
 * <p>Stateless and thread-safe.
 */
final class DokuWikiSite {

    /** Where the package puts DokuWiki's code and static files: the document root. */
    static final Path INSTALL_DIR = Paths.get("/usr/share/dokuwiki");
    /** The user {@link #USER_PASSWORD} logs in as; in group {@code admin}, DokuWiki's superuser group. */
    static final String USER = "tester";
    static final String USER_PASSWORD = "gatehouse-e2e";
    private static final Path PACKAGE_CONF = Paths.get("/etc/dokuwiki");
    private static final List<String> DATA_DIRS = List.of("pages", "attic", "media", "media_attic", "media_meta",
            "meta", "cache", "index", "locks", "tmp", "log");

    private DokuWikiSite() {
    }

    /** Writes the config both front ends read into {@code dir} and returns it. */
    static Path writeConfig(Path dir) {
        Path php = Peers.require("php-cgi");
        return SideBySide.writeConfig(dir.resolve("dokuwiki.conf"),
                "DokuWiki through php-cgi spawned by bin-path: the same file for lighttpd and gatehouse", INSTALL_DIR,
                "index-file.names = ( \"doku.php\" )",
                "mimetype.assign = ( \".png\" => \"image/png\", \".gif\" => \"image/gif\",",
                "    \".svg\" => \"image/svg+xml\", \".css\" => \"text/css\", \".js\" => \"text/javascript\",",
                "    \".txt\" => \"text/plain\" )",
                "fastcgi.server = ( \".php\" => ( \"php\" => (",
                "    \"socket\" => var.site + \"/php.sock\",",
                "    \"bin-path\" => " + ConfigFiles.quote(php + " -d date.timezone=UTC -d auto_prepend_file=")
                        + " + var.site + \"/prepend.php -d session.save_path=\" + var.site + \"/sessions\",",
                "    \"max-procs\" => 1,",
                "    \"bin-environment\" => ( \"PHP_FCGI_CHILDREN\" => \"2\", \"PHP_FCGI_MAX_REQUESTS\" => \"0\" )",
                ") ) )");
    }

    /** Creates the site directory of one side under {@code dir}: conf, data, sessions, prepend. */
    static Path createSite(Path dir, Side side) {
        Peers.requireFile(INSTALL_DIR.resolve("doku.php"), "dokuwiki");
        try {
            Path site = Files.createDirectory(dir.resolve(side.dirName()));
            Path conf = Files.createDirectory(site.resolve("conf"));
            copyPackageConf(conf);
            Files.copy(PACKAGE_CONF.resolve("acl.auth.php.dist"), conf.resolve("acl.auth.php"));
            Files.writeString(conf.resolve("users.auth.php"), USER + ":" + md5(USER_PASSWORD)
                    + ":Test User:tester@example.org:admin,user\n");
            Path data = Files.createDirectory(site.resolve("data"));
            for (String name : DATA_DIRS) {
                Files.createDirectory(data.resolve(name));
            }
            Files.writeString(data.resolve("pages").resolve("start.txt"),
                    "====== Start ======\n\nWelcome to the [[other]] page and the [[wiki:syntax]].\n");
            Files.createDirectory(site.resolve("sessions"));
            Files.writeString(conf.resolve("local.php"), "<?php\n"
                    + "$conf['title'] = 'gatehouse e2e wiki';\n"
                    + "$conf['savedir'] = '" + data + "';\n"
                    + "$conf['useacl'] = 1;\n"
                    + "$conf['superuser'] = '@admin';\n"
                    // A missing page answers 404, so the application's own error statuses go through too.
                    + "$conf['send404'] = 1;\n"
                    // Page names in PATH_INFO (/doku.php/ns/page), as many installations link them.
                    + "$conf['userewrite'] = 2;\n"
                    + "$conf['useslash'] = 1;\n");
            Files.writeString(site.resolve("prepend.php"), "<?php\n"
                    + "// Run by php-cgi before every script: DokuWiki's config (and through it its data) in the site.\n"
                    + "define('DOKU_MAIN_CONF', '" + conf + "/');\n"
                    + "define('DOKU_CONF', '" + conf + "/');\n");
            return site;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the DokuWiki site under " + dir, e);
        }
    }

    /** The package's regular config files (its links point into /var/lib/dokuwiki: left out). */
    private static void copyPackageConf(Path conf) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(PACKAGE_CONF)) {
            for (Path file : files) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(file, conf.resolve(file.getFileName()));
                }
            }
        }
    }

    /** DokuWiki's plain auth accepts a bare MD5 hex digest as a password hash. */
    private static String md5(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
            return String.format("%032x", new BigInteger(1, digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no MD5 in this JDK", e);
        }
    }
}
