package io.gatehouse.core.internal.route;

import java.nio.file.Path;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.conf.Route;

/**
 * A request matched to a backend key: which route, and how the URL path splits into the script
 * and PATH_INFO.
 *
 * @param route          the matched {@code fastcgi.server}/{@code scgi.server} key
 * @param scriptName     SCRIPT_NAME: the URL path of the script (may be empty with {@code fix-root-scriptname})
 * @param pathInfo       PATH_INFO, empty when there is none
 * @param documentRoot   DOCUMENT_ROOT as sent (the backend's {@code docroot} when set)
 * @param scriptFilename SCRIPT_FILENAME as sent
 * @param physicalPath   the file that exists on disk for check-local routes, else null
 */
public record RouteMatch(Route route, String scriptName, String pathInfo, String documentRoot,
        String scriptFilename, Path physicalPath) {

    /** The options of the key's first host: lighttpd reads per-key routing options from it. */
    public BackendConfig firstBackend() {
        return route.backends().get(0);
    }
}
