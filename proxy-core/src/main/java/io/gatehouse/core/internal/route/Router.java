package io.gatehouse.core.internal.route;

import java.nio.file.Path;
import java.util.Map;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Route;
import io.gatehouse.conf.Scope;

/**
 * Finds the backend key that takes a request, as lighttpd's {@code gw_check_extension} does: keys
 * are tried in config order and the first match wins; {@code "/prefix"} keys match a URL-path
 * prefix, other keys a file-name suffix, {@code ""} everything. With {@code check-local} (the
 * default) the file must exist under the document root and the match is made against it after
 * the PATH_INFO split; without it the URL path is matched as it is. Where a file is on disk is
 * looked up once a second per path ({@link ResolvedPaths}, the caller's), not on every request.
 *
 * <p>Thread-safe.
 */
public final class Router {

    private Router() {
    }

    /**
     * The route for {@code urlPath} (decoded, canonical) in {@code scope}, or null when no key takes it.
     *
     * @param resolved where files found on disk are kept: the generation's, so a reload starts afresh
     */
    public static RouteMatch match(Scope scope, String urlPath, ResolvedPaths resolved) {
        Path docroot = scope.documentRoot().orElse(null);
        PhysicalPath physical = null;
        boolean physicalResolved = false;
        for (Route route : scope.routes()) {
            BackendConfig first = route.backends().get(0);
            Map<String, String> mapped = scope.mapExtensions(route.protocol());
            if (!first.checkLocal()) {
                RouteMatch match = matchUrl(route, first, urlPath, docroot, mapped);
                if (match != null) {
                    return match;
                }
                if (route.keyKind() != Route.KeyKind.SUFFIX || docroot == null) {
                    continue;
                }
                // /x.php/more: lighttpd matches the key against the file left by the PATH_INFO
                // split too; unmatched, the static handler would send the script's source.
            }
            if (docroot == null) {
                continue; // check-local needs a document root to find the file in
            }
            if (!physicalResolved) {
                physical = resolved.resolve(docroot, urlPath, scope.indexFiles());
                physicalResolved = true;
            }
            if (physical != null && keyMatches(route, physical.urlPath() + physical.pathInfo(),
                    physical.urlPath(), mapped)) {
                return build(route, first, physical.urlPath(), physical.pathInfo(), docroot,
                        physical.file().toString(), physical.file());
            }
        }
        return null;
    }

    private static RouteMatch matchUrl(Route route, BackendConfig first, String urlPath, Path docroot,
            Map<String, String> mapped) {
        if (!keyMatches(route, urlPath, urlPath, mapped)) {
            return null;
        }
        String scriptName = urlPath;
        String pathInfo = "";
        if (route.keyKind() == Route.KeyKind.PREFIX) {
            if (route.key().equals("/") && first.fixRootScriptname()) {
                scriptName = "";
                pathInfo = urlPath;
            } else {
                int slash = urlPath.indexOf('/', route.key().length());
                if (slash >= 0) {
                    scriptName = urlPath.substring(0, slash);
                    pathInfo = urlPath.substring(slash);
                }
            }
        }
        String filename = docroot == null ? scriptName : docroot + scriptName;
        return build(route, first, scriptName, pathInfo, docroot, filename, null);
    }

    private static RouteMatch build(Route route, BackendConfig first, String scriptName, String pathInfo,
            Path docroot, String scriptFilename, Path physical) {
        String documentRoot = docroot == null ? "" : docroot.toString();
        if (first.docroot().isPresent()) {
            documentRoot = first.docroot().get().toString();
            scriptFilename = documentRoot + scriptName;
        }
        if (first.brokenScriptfilename()) {
            scriptFilename = scriptFilename + pathInfo;
        }
        return new RouteMatch(route, scriptName, pathInfo, documentRoot, scriptFilename, physical);
    }

    /**
     * @param fullPath   the path a prefix key is compared with
     * @param scriptPath the path a suffix key is compared with (after the PATH_INFO split)
     */
    static boolean keyMatches(Route route, String fullPath, String scriptPath, Map<String, String> mapped) {
        String key = route.key();
        switch (route.keyKind()) {
            case ALL:
                return true;
            case PREFIX:
                return fullPath.startsWith(key);
            default:
                if (scriptPath.endsWith(key)) {
                    return true;
                }
                for (Map.Entry<String, String> e : mapped.entrySet()) {
                    if (e.getValue().equals(key) && scriptPath.endsWith(e.getKey())) {
                        return true;
                    }
                }
                return false;
        }
    }
}
