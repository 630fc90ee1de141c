package io.gatehouse.conf.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which config keys gatehouse understands, where they may appear, and how to word the warning for
 * the ones it ignores (lighttpd settings of modules gatehouse does not implement, and keys nobody
 * knows).
 *
 * <p>Constant tables; thread-safe.
 */
public final class Directives {

    /** Directives read from the top level only. */
    public static final Set<String> SERVER_WIDE = Set.of(
            "server.bind", "server.port", "server.pid-file", "server.errorlog", "server.breakagelog",
            "server.modules", "server.feature-flags", "server.graceful-shutdown-timeout",
            "server.max-request-size", "server.tag", "server.systemd-socket-activation",
            "accesslog.filename", "accesslog.format", "status.statistics-url",
            "server.max-keep-alive-requests", "server.max-keep-alive-idle", "server.max-read-idle",
            "server.max-write-idle", "server.max-connections", "server.max-fds", "server.listen-backlog",
            "server.http-parseopts", "server.http-parseopt-header-strict", "server.http-parseopt-host-strict",
            "server.http-parseopt-host-normalize", "server.max-request-field-size", "server.upload-dirs");

    /** Directives that may differ per condition. */
    public static final Set<String> PER_SCOPE = Set.of(
            "server.document-root", "index-file.names", "server.indexfiles",
            "fastcgi.server", "scgi.server", "scgi.protocol",
            "fastcgi.balance", "scgi.balance", "fastcgi.debug", "scgi.debug",
            "fastcgi.map-extensions", "scgi.map-extensions",
            "mimetype.assign", "static-file.etags", "etag.use-inode", "etag.use-mtime", "etag.use-size",
            "static-file.exclude-extensions", "server.errorfile-prefix");

    /** Accepted for compatibility but not acted on: gatehouse does not switch users. */
    public static final Set<String> NOT_SUPPORTED = Set.of("server.username", "server.groupname", "server.chroot");

    /** The {@code server.modules} entries whose work gatehouse does. */
    public static final Set<String> IMPLEMENTED_MODULES = Set.of(
            "mod_fastcgi", "mod_scgi", "mod_accesslog", "mod_staticfile", "mod_indexfile", "mod_status", "mod_openssl");

    /** Key prefixes of lighttpd modules gatehouse does not implement, most specific first. */
    private static final List<Map.Entry<String, String>> MODULE_PREFIXES = List.of(
            Map.entry("url.rewrite", "mod_rewrite"), Map.entry("url.redirect", "mod_redirect"),
            Map.entry("url.access-", "mod_access"), Map.entry("alias.", "mod_alias"),
            Map.entry("auth.", "mod_auth"), Map.entry("cgi.", "mod_cgi"), Map.entry("compress.", "mod_compress"),
            Map.entry("deflate.", "mod_deflate"), Map.entry("dir-listing.", "mod_dirlisting"),
            Map.entry("expire.", "mod_expire"), Map.entry("proxy.", "mod_proxy"), Map.entry("setenv.", "mod_setenv"),
            Map.entry("ssl.", "mod_openssl"), Map.entry("ssi.", "mod_ssi"), Map.entry("userdir.", "mod_userdir"),
            Map.entry("magnet.", "mod_magnet"), Map.entry("evhost.", "mod_evhost"),
            Map.entry("simple-vhost.", "mod_simple_vhost"), Map.entry("secdownload.", "mod_secdownload"),
            Map.entry("rrdtool.", "mod_rrdtool"), Map.entry("extforward.", "mod_extforward"),
            Map.entry("wstunnel.", "mod_wstunnel"), Map.entry("sockproxy.", "mod_sockproxy"),
            Map.entry("ajp13.", "mod_ajp13"), Map.entry("vhostdb.", "mod_vhostdb"), Map.entry("webdav.", "mod_webdav"),
            Map.entry("usertrack.", "mod_usertrack"), Map.entry("evasive.", "mod_evasive"),
            Map.entry("trigger-before-download.", "mod_trigger_b4_dl"), Map.entry("maxminddb.", "mod_maxminddb"),
            Map.entry("status.", "mod_status"), Map.entry("accesslog.", "mod_accesslog"));

    /** Core lighttpd keys outside {@code server.*} that gatehouse does not implement. */
    private static final List<String> CORE_PREFIXES = List.of(
            "mimetype.", "static-file.", "etag.", "debug.", "connection.");

    /** lighttpd's own {@code server.*} keys that gatehouse does not implement. */
    private static final Set<String> LIGHTTPD_SERVER_KEYS = Set.of(
            "server.absolute-dir-redirect", "server.bsd-accept-filter", "server.chunkqueue-chunk-sz",
            "server.clock-jump-restart", "server.compat-module-load", "server.core-files", "server.defer-accept",
            "server.dir-listing", "server.error-handler", "server.error-handler-404", "server.error-intercept",
            "server.errorlog-high-precision", "server.errorlog-use-syslog",
            "server.event-handler", "server.follow-symlink", "server.force-lowercase-filenames",
            "server.graceful-restart-bg", "server.h1-discard-backend-1xx", "server.h2-discard-backend-1xx",
            "server.h2c", "server.h2proto",
            "server.kbytes-per-second", "server.max-worker",
            "server.metrics-high-precision", "server.name", "server.network-backend", "server.protocol-http11",
            "server.range-requests", "server.reject-expect-100-with-417", "server.set-v6only",
            "server.socket-perms", "server.stat-cache-engine", "server.stream-request-body",
            "server.stream-response-body", "server.syslog-facility",
            "server.upload-temp-file-size", "server.use-ipv6", "server.v4mapped");

    private Directives() {
    }

    /** Whether gatehouse reads {@code key} (server-wide or per scope). */
    public static boolean isImplemented(String key) {
        return SERVER_WIDE.contains(key) || PER_SCOPE.contains(key);
    }

    /** The warning for a key gatehouse does not read; never called for implemented keys. */
    public static String ignoredKeyWarning(String key) {
        if (NOT_SUPPORTED.contains(key)) {
            return "'" + key + "' is not supported, ignored (run gatehouse as the intended user instead)";
        }
        for (Map.Entry<String, String> prefix : MODULE_PREFIXES) {
            if (key.startsWith(prefix.getKey())) {
                return "'" + key + "' is a " + prefix.getValue() + " setting that gatehouse does not implement (ignored)";
            }
        }
        if (LIGHTTPD_SERVER_KEYS.contains(key) || CORE_PREFIXES.stream().anyMatch(key::startsWith)) {
            return "'" + key + "' is a lighttpd setting that gatehouse does not implement (ignored)";
        }
        return "unknown config key '" + key + "' (ignored)";
    }
}
