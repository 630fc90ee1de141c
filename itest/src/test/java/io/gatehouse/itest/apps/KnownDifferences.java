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
                    + " backend ends it and then sends a Content-Length; gatehouse holds it only up to 64 KiB and 5 ms,"
                    + " then streams it chunked (server.stream-response-body in the README)"),
            KnownDifference.missingHeader(".*", "accept-ranges", "lighttpd answers Range on a dynamic 200 it holds"
                    + " whole (mod_fastcgi responses included) and says so with Accept-Ranges: bytes; gatehouse"
                    + " passes Range to the application and adds nothing"));

    static final List<KnownDifference> DOKUWIKI = DYNAMIC_RESPONSES;

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
