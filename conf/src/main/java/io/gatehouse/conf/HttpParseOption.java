package io.gatehouse.conf;

import java.util.Optional;

/**
 * The keys of lighttpd's {@code server.http-parseopts}, with lighttpd's defaults: how strictly a
 * request head is read and how the request target is normalised before it is routed and handed
 * to a backend as SCRIPT_NAME and PATH_INFO.
 *
 * <p>Immutable; thread-safe.
 */
public enum HttpParseOption {
    /** Reject control characters and malformed header lines (gatehouse is always this strict). */
    HEADER_STRICT("header-strict", true),
    /** Reject Host values with characters a host name cannot have (gatehouse is always this strict). */
    HOST_STRICT("host-strict", true),
    /** Lower-case and normalise the Host value (not implemented: a warning when enabled). */
    HOST_NORMALIZE("host-normalize", false),
    /** Normalise the target at all; without it only control characters are checked. */
    URL_NORMALIZE("url-normalize", true),
    /** Decode {@code %XX} of unreserved characters ({@code A-Z a-z 0-9 - . _ ~}). */
    URL_NORMALIZE_UNRESERVED("url-normalize-unreserved", true),
    /** Encode only what must be encoded, leave other {@code %XX} as sent (upper-cased). */
    URL_NORMALIZE_REQUIRED("url-normalize-required", false),
    /** {@code %00}-{@code %1F} and {@code %7F} anywhere in the target: 400. */
    URL_CTRLS_REJECT("url-ctrls-reject", true),
    /** {@code \} in the path becomes {@code /}. */
    URL_PATH_BACKSLASH_TRANS("url-path-backslash-trans", false),
    /** {@code %2F} in the path becomes {@code /}. */
    URL_PATH_2F_DECODE("url-path-2f-decode", true),
    /** {@code %2F} in the path: 400. */
    URL_PATH_2F_REJECT("url-path-2f-reject", false),
    /** {@code .} and {@code ..} path segments are removed ({@code ..} never climbs above {@code /}). */
    URL_PATH_DOTSEG_REMOVE("url-path-dotseg-remove", true),
    /** {@code .} or {@code ..} path segments: 400. */
    URL_PATH_DOTSEG_REJECT("url-path-dotseg-reject", false),
    /** {@code %20} in the query string becomes {@code +}. */
    URL_QUERY_20_PLUS("url-query-20-plus", false),
    /** A path that is not valid UTF-8 once decoded: 400. */
    URL_INVALID_UTF8_REJECT("url-invalid-utf8-reject", true),
    /** Allow a body on GET and HEAD (without it such a request is 400). */
    METHOD_GET_BODY("method-get-body", false);

    private final String key;
    private final boolean enabledByDefault;

    HttpParseOption(String key, boolean enabledByDefault) {
        this.key = key;
        this.enabledByDefault = enabledByDefault;
    }

    /** The key as written in {@code server.http-parseopts}. */
    public String key() {
        return key;
    }

    public boolean enabledByDefault() {
        return enabledByDefault;
    }

    /** The option named {@code key}, if lighttpd has one by that name. */
    public static Optional<HttpParseOption> forKey(String key) {
        for (HttpParseOption option : values()) {
            if (option.key.equals(key)) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }
}
