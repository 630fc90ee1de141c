package io.gatehouse.itest.apps;

import java.util.List;
import java.util.stream.Stream;

/**
 * The differences between lighttpd's and gatehouse's answers that the real-application tests
 * know about, each with its reason. Keep this list short and explained: an entry whose
 * difference is gone should be removed (the test prints the entries it used).
 *
 * <p>Immutable and thread-safe.
 */
final class KnownDifferences {

    /** Differences every application shows: how gatehouse frames a dynamic response. */
    static final List<KnownDifference> DYNAMIC_RESPONSES = List.of(
            KnownDifference.missingHeader(".*", "content-length", "lighttpd holds a dynamic response back until the"
                    + " backend ends it (up to a size) and then sends a Content-Length; gatehouse streams it from the"
                    + " first record, chunked unless the whole response came in one read (issue 12, item 6)"),
            KnownDifference.missingHeader(".*", "accept-ranges", "lighttpd answers Range on a dynamic 200 it holds"
                    + " whole (mod_fastcgi responses included) and says so with Accept-Ranges: bytes; gatehouse"
                    + " passes Range to the application and adds nothing"));

    /** Static files: ETags and conditional requests are being brought to lighttpd's rules (issue 12). */
    private static final String STATIC_FILES = "static files are served without lighttpd's ETag"
            + " (static-file.etags) and without its conditional answers yet: being brought to lighttpd's rules"
            + " under issue 12";
    private static final String ERROR_PAGES = "gatehouse's 404 for a missing file has an empty body; lighttpd"
            + " sends a small HTML page (server.errorfile-prefix and default error pages: issue 12)";
    private static final List<KnownDifference> STATIC = List.of(
            KnownDifference.missingHeader("static .*", "etag", STATIC_FILES),
            KnownDifference.where("static .*if-none-match", "status", "200", STATIC_FILES),
            KnownDifference.of("static .*if-none-match", "body", STATIC_FILES),
            KnownDifference.where("static .*if-none-match", "header:content-length", "[0-9]+", STATIC_FILES),
            KnownDifference.where("static .*if-none-match", "header:accept-ranges", "bytes", STATIC_FILES),
            KnownDifference.missingHeader("static .*if-modified-since", "content-type", "a 304 for a static file"
                    + " carries no Content-Type and no Last-Modified in gatehouse; lighttpd repeats both (issue 12)"),
            KnownDifference.missingHeader("static .*if-modified-since", "last-modified", "a 304 for a static file"
                    + " carries no Content-Type and no Last-Modified in gatehouse; lighttpd repeats both (issue 12)"),
            KnownDifference.missingHeader("static missing file", "content-type", ERROR_PAGES),
            KnownDifference.where("static missing file", "header:content-length", "0", ERROR_PAGES),
            KnownDifference.where("static missing file", "body", "", ERROR_PAGES));

    static final List<KnownDifference> DOKUWIKI = Stream.concat(DYNAMIC_RESPONSES.stream(), STATIC.stream())
            .toList();

    private static final String DYNAMIC_RANGE = "a Range request for a dynamic response the application"
            + " answers whole: lighttpd cuts the range out of it (206), gatehouse passes the whole 200 on, which"
            + " HTTP allows but makes a resumed download start over";

    static final List<KnownDifference> CGIT = Stream.concat(DYNAMIC_RESPONSES.stream(), Stream.of(
            KnownDifference.where("snapshot range", "status", "200", DYNAMIC_RANGE),
            KnownDifference.missingHeader("snapshot range", "content-range", DYNAMIC_RANGE),
            KnownDifference.where("snapshot range", "header:content-length", "[0-9]+", DYNAMIC_RANGE),
            KnownDifference.of("snapshot range", "body", DYNAMIC_RANGE))).toList();

    private KnownDifferences() {
    }
}
