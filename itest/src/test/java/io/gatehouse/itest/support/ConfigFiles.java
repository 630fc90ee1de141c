package io.gatehouse.itest.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes lighttpd-syntax config files for the end-to-end tests, the way a lighttpd user writes
 * them: one FastCGI backend for {@code .php} on a unix socket, listening on 127.0.0.1, with the
 * error log ({@value #ERROR_LOG}) and access log ({@value #ACCESS_LOG}) in the config's directory.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfigFiles {

    /** File name of the config that {@link #phpBackend} writes. */
    public static final String CONFIG = "gatehouse.conf";
    /** File name of the error log, next to the config. */
    public static final String ERROR_LOG = "error.log";
    /** File name of the access log, next to the config. */
    public static final String ACCESS_LOG = "access.log";

    private ConfigFiles() {
    }

    /** {@code s} as a lighttpd string literal: quoted, with {@code \} and {@code "} escaped. */
    public static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * Writes {@code dir/gatehouse.conf}: 127.0.0.1:{@code port}, document root {@code docroot},
     * {@code index.php} as index file, the logs in {@code dir}, and
     * {@code fastcgi.server = ( ".php" => ( label => ( "socket" => socket, backendOptions... ) ) )};
     * each backend option is a ready-made {@code "key" => value} pair. Returns the file.
     */
    public static Path phpBackend(Path dir, int port, Path docroot, String label, Path socket,
            String... backendOptions) {
        List<String> options = new ArrayList<>();
        options.add("\"socket\" => " + quote(socket.toString()));
        options.addAll(List.of(backendOptions));
        return write(dir.resolve(CONFIG),
                "# written by the end-to-end tests",
                "server.bind = \"127.0.0.1\"",
                "server.port = " + port,
                "server.document-root = " + quote(docroot.toString()),
                "index-file.names = ( \"index.php\" )",
                "server.errorlog = " + quote(dir.resolve(ERROR_LOG).toString()),
                "accesslog.filename = " + quote(dir.resolve(ACCESS_LOG).toString()),
                "fastcgi.server = (",
                "    \".php\" => (",
                "        " + quote(label) + " => (",
                "            " + String.join(",\n            ", options),
                "        )",
                "    )",
                ")");
    }

    /**
     * Copies the {@link PhpScripts} pages into {@code dir/www} and writes {@code dir/gatehouse.conf}
     * ({@link #phpBackend}) with one php-cgi child spawned by bin-path on {@code dir/php.sock}
     * running two PHP workers, as a lighttpd user spawns PHP. Returns the config file.
     */
    public static Path spawnedPhpCgi(Path dir, int port) {
        return spawnedPhpCgi(dir, port, dir.resolve("php.sock"));
    }

    /** As {@link #spawnedPhpCgi(Path, int)}, with php-cgi's socket at {@code socket}. */
    public static Path spawnedPhpCgi(Path dir, int port, Path socket) {
        Path docroot;
        try {
            docroot = PhpScripts.copyInto(Files.createDirectory(dir.resolve("www")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.resolve("www"), e);
        }
        return phpBackend(dir, port, docroot, "php", socket,
                "\"bin-path\" => " + quote(Peers.require("php-cgi").toString()),
                "\"max-procs\" => 1",
                "\"bin-environment\" => ( \"PHP_FCGI_CHILDREN\" => \"2\" )");
    }

    /**
     * The config lines of an HTTPS listener on 127.0.0.1:{@code port} serving {@code dir/site.crt}
     * with {@code dir/site.key} ({@link TlsPeers#selfSigned} writes them), with {@code inside} in its block.
     */
    public static List<String> tlsListener(int port, Path dir, String... inside) {
        List<String> lines = new ArrayList<>(List.of(
                "$SERVER[\"socket\"] == \"127.0.0.1:" + port + "\" {",
                "  ssl.engine = \"enable\"",
                "  ssl.pemfile = " + quote(dir.resolve("site.crt").toString()),
                "  ssl.privkey = " + quote(dir.resolve("site.key").toString())));
        lines.addAll(List.of(inside));
        lines.add("}");
        return lines;
    }

    /** Adds {@code lines} at the end of {@code file} (later settings, {@code +=}) and returns it. */
    public static Path append(Path file, String... lines) {
        try {
            return Files.write(file, List.of(lines), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** Writes {@code lines} to {@code file} and returns it. */
    public static Path write(Path file, String... lines) {
        try {
            return Files.write(file, List.of(lines));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
