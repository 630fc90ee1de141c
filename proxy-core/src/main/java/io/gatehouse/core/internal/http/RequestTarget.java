package io.gatehouse.core.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.gatehouse.conf.HttpParseOption;
import io.gatehouse.conf.HttpParseOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/**
 * A request target read as lighttpd reads it ({@code server.http-parseopts}, lighttpd 1.4.69's
 * burl rules): the target as received (REQUEST_URI), the query normalised (QUERY_STRING) and the
 * path decoded and normalised (what routes the request and becomes SCRIPT_NAME and PATH_INFO).
 *
 * <p>Normalising, in lighttpd's order: {@code %XX} of an unreserved character is decoded and
 * every other {@code %XX} upper-cased; a character that may not stand in a URI (controls, space,
 * {@code "<>\^`{|}}, bytes from 0x80) is encoded, as is a {@code %} that starts no escape; a
 * target with {@code %00}-{@code %1F} or {@code %7F} is refused; in the path {@code %2F} becomes
 * {@code /}, {@code .} and {@code ..} segments are removed ({@code ..} never climbs above the root)
 * and repeated slashes fold into one; the fragment ({@code #…}) is dropped. The path is then
 * decoded and must be UTF-8. Each step follows its {@link HttpParseOption}; a NUL in the decoded
 * path is refused whatever the options say (it would cut a file name short).
 *
 * <p>Immutable; thread-safe.
 */
public final class RequestTarget {

    /** Where {@code RequestDispatcher} leaves the target for the gateway and the CGI environment. */
    public static final AttachmentKey<RequestTarget> KEY = AttachmentKey.create(RequestTarget.class);

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final String raw;
    private final String path;
    private final String query;
    private final String authority;

    private RequestTarget(String raw, String path, String query, String authority) {
        this.raw = raw;
        this.path = path;
        this.query = query;
        this.authority = authority;
    }

    /** The target {@code RequestDispatcher} attached to {@code exchange}. */
    public static RequestTarget of(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }

    /**
     * The target as received: Undertow runs with url decoding off (gatehouse decodes as lighttpd
     * does), so its request URI and query string are the bytes sent, one char each.
     */
    public static String rawTarget(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return query.isEmpty() ? exchange.getRequestURI() : exchange.getRequestURI() + "?" + query;
    }

    /**
     * The target as the client sent it, each char one byte (ISO-8859-1), in origin form: an
     * absolute-form target's scheme and authority are not part of it, as lighttpd's REQUEST_URI.
     */
    public String raw() {
        return raw;
    }

    /** The host and port an absolute-form target names ({@code http://host:port/…}); null for origin form. */
    public String authority() {
        return authority;
    }

    /** The decoded, normalised path: always starts with {@code /}. */
    public String path() {
        return path;
    }

    /** The normalised query string without {@code ?}; empty when there is none. */
    public String query() {
        return query;
    }

    /**
     * Where lighttpd sends a request for a directory named without its trailing slash: the path,
     * encoded again, with {@code /} added, and the normalised query ({@code /sub%20dir/?a=A}).
     */
    public String slashedDirectoryLocation() {
        StringBuilder location = new StringBuilder(path.length() + query.length() + 8);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isUnreserved(c) || (c != '?' && c != '#' && c != '[' && c != ']' && isReserved(c))) {
                location.append((char) c);
            } else {
                location.append('%').append((char) HEX[c >> 4]).append((char) HEX[c & 0xf]);
            }
        }
        location.append('/');
        return query.isEmpty() ? location.toString() : location.append('?').append(query).toString();
    }

    /**
     * Reads {@code received} (origin form, or absolute form whose scheme and authority are kept
     * apart: {@link #authority()}).
     *
     * @param received one char per byte of the target as received
     * @throws BadRequestTargetException for a target lighttpd answers with 400
     */
    public static RequestTarget parse(String received, HttpParseOptions options) throws BadRequestTargetException {
        String authority = authorityOf(received);
        String raw = authority == null ? received : afterAuthority(received, authority);
        String target = withoutFragment(raw);
        if (target.isEmpty() || target.charAt(0) != '/') {
            throw new BadRequestTargetException("the request target does not start with /");
        }
        if (hasRawControl(raw)) {
            throw new BadRequestTargetException("the request target has a control character");
        }
        if (options.enabled(HttpParseOption.URL_NORMALIZE) && isAlreadyNormal(target)) {
            int question = target.indexOf('?');
            return question < 0 ? new RequestTarget(raw, target, "", authority)
                    : new RequestTarget(raw, target.substring(0, question), target.substring(question + 1), authority);
        }
        Bytes normal = options.enabled(HttpParseOption.URL_NORMALIZE)
                ? normalise(target, options.enabled(HttpParseOption.URL_NORMALIZE_UNRESERVED))
                : Bytes.of(target);
        if (options.enabled(HttpParseOption.URL_CTRLS_REJECT) && normal.hasEncodedControl()) {
            throw new BadRequestTargetException("the request target has an encoded control character");
        }
        int question = normal.indexOf('?');
        Bytes pathPart = question < 0 ? normal : normal.slice(0, question);
        String query = question < 0 ? "" : normal.slice(question + 1, normal.length()).toLatin1();
        if (options.enabled(HttpParseOption.URL_NORMALIZE)) {
            pathPart = normalisePath(pathPart, options);
            if (options.enabled(HttpParseOption.URL_QUERY_20_PLUS)) {
                query = query.replace("%20", "+");
            }
        }
        return new RequestTarget(raw, decodePath(pathPart, options), query, authority);
    }

    /**
     * The authority of an absolute-form target, or null for any other. As lighttpd, only http and
     * https are taken, and only a host with an optional port: userinfo ({@code http://good@evil/})
     * is refused, so that no two readings of the target name different hosts.
     */
    private static String authorityOf(String received) throws BadRequestTargetException {
        if (received.isEmpty() || received.charAt(0) == '/') {
            return null; // origin form, nearly every request: no scan for a scheme
        }
        int separator = received.indexOf("://");
        if (separator <= 0) {
            return null;
        }
        String scheme = received.substring(0, separator);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            throw new BadRequestTargetException("the request target's scheme is not http or https");
        }
        int start = separator + 3;
        int end = start;
        while (end < received.length() && "/?#".indexOf(received.charAt(end)) < 0) {
            end++;
        }
        String authority = received.substring(start, end);
        if (!isHostAndPort(authority)) {
            throw new BadRequestTargetException("the request target's authority is not a host and an optional port");
        }
        return authority;
    }

    /** A name (letters, digits, {@code -._~}) or a bracketed IPv6 literal, then {@code :} and up to 5 digits. */
    static boolean isHostAndPort(String authority) {
        int hostEnd;
        if (authority.startsWith("[")) {
            hostEnd = authority.indexOf(']') + 1;
            if (hostEnd < 3 || !authority.substring(1, hostEnd - 1).chars().allMatch(
                    c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return false;
            }
        } else {
            hostEnd = 0;
            while (hostEnd < authority.length() && isNameChar(authority.charAt(hostEnd))) {
                hostEnd++;
            }
            if (hostEnd == 0) {
                return false;
            }
        }
        if (hostEnd == authority.length()) {
            return true;
        }
        String port = authority.substring(hostEnd + 1);
        return authority.charAt(hostEnd) == ':' && !port.isEmpty() && port.length() <= 5
                && port.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    /**
     * The origin form of an absolute-form target: what follows its (validated) authority, which
     * starts with {@code /}, {@code ?} or {@code #}, or is empty.
     */
    private static String afterAuthority(String received, String authority) {
        String rest = received.substring(received.indexOf("://") + 3 + authority.length());
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    private static String withoutFragment(String target) {
        int hash = target.indexOf('#');
        return hash < 0 ? target : target.substring(0, hash);
    }

    private static Bytes normalise(String target, boolean decodeUnreserved) {
        Bytes out = new Bytes(target.length() + 16);
        int n = target.length();
        for (int i = 0; i < n; i++) {
            int c = target.charAt(i) & 0xff;
            if (c == '%') {
                int high = i + 2 < n ? Character.digit(target.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(target.charAt(i + 2), 16) : -1;
                if (low < 0) {
                    out.escape('%');
                    continue;
                }
                int value = high << 4 | low;
                if (decodeUnreserved && isUnreserved(value)) {
                    out.add(value);
                } else {
                    out.escape(value);
                }
                i += 2;
            } else if (isUnreserved(c) || isReserved(c)) {
                out.add(c);
            } else {
                out.escape(c);
            }
        }
        return out;
    }

    private static Bytes normalisePath(Bytes path, HttpParseOptions options) throws BadRequestTargetException {
        if (options.enabled(HttpParseOption.URL_PATH_2F_REJECT) && path.indexOfEscape(0x2F) >= 0) {
            throw new BadRequestTargetException("the request path has an encoded slash (%2F)");
        }
        if (options.enabled(HttpParseOption.URL_PATH_2F_DECODE)) {
            path = path.replaceEscape(0x2F, '/');
        }
        if (options.enabled(HttpParseOption.URL_PATH_BACKSLASH_TRANS)) {
            path = path.replaceEscape(0x5C, '/');
        }
        if (options.enabled(HttpParseOption.URL_PATH_DOTSEG_REJECT) && DotSegments.present(path.toLatin1())) {
            throw new BadRequestTargetException("the request path has a . or .. segment");
        }
        if (options.enabled(HttpParseOption.URL_PATH_DOTSEG_REMOVE)) {
            return Bytes.of(DotSegments.remove(path.toLatin1()));
        }
        return path;
    }

    private static String decodePath(Bytes path, HttpParseOptions options) throws BadRequestTargetException {
        Bytes decoded = path.percentDecoded();
        if (decoded.indexOf(0) >= 0) {
            throw new BadRequestTargetException("the request path has a NUL byte");
        }
        if (!decoded.hasHighBytes()) {
            return decoded.toLatin1();
        }
        CodingErrorAction onError = options.enabled(HttpParseOption.URL_INVALID_UTF8_REJECT)
                ? CodingErrorAction.REPORT : CodingErrorAction.REPLACE;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(onError).onUnmappableCharacter(onError)
                    .decode(decoded.asBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestTargetException("the request path is not valid UTF-8");
        }
    }

    /**
     * Whether no normalising step would change {@code target}: no escapes, nothing to encode, no
     * dot segment or repeated slash in the path. Most targets are, and skip the byte copying.
     */
    private static boolean isAlreadyNormal(String target) {
        boolean inPath = true;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '?') {
                inPath = false;
            } else if (c == '%' || !(isUnreserved(c) || isReserved(c))) {
                return false;
            } else if (inPath && c == '/' && i + 1 < target.length()
                    && (target.charAt(i + 1) == '/' || target.charAt(i + 1) == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasRawControl(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** RFC 3986 unreserved: {@code ALPHA DIGIT - . _ ~}. */
    static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** RFC 3986 gen-delims and sub-delims: they keep their meaning, so they stay as sent. */
    static boolean isReserved(int c) {
        return ":/?#[]@!$&'()*+,;=".indexOf(c) >= 0;
    }

    /** A growable byte string; chars of a String stand for bytes (ISO-8859-1). */
    private static final class Bytes {
        private byte[] bytes;
        private int length;

        Bytes(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        static Bytes of(String latin1) {
            Bytes b = new Bytes(latin1.length());
            for (int i = 0; i < latin1.length(); i++) {
                b.add(latin1.charAt(i));
            }
            return b;
        }

        void add(int b) {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, length * 2);
            }
            bytes[length++] = (byte) b;
        }

        void escape(int value) {
            add('%');
            add(HEX[value >> 4 & 0xf]);
            add(HEX[value & 0xf]);
        }

        int length() {
            return length;
        }

        int indexOf(int b) {
            for (int i = 0; i < length; i++) {
                if ((bytes[i] & 0xff) == b) {
                    return i;
                }
            }
            return -1;
        }

        /** Where {@code %XX} of {@code value} starts (upper- or lower-case hex), or -1. */
        int indexOfEscape(int value) {
            for (int i = 0; i + 2 < length; i++) {
                if (bytes[i] == '%' && escapedValue(i) == value) {
                    return i;
                }
            }
            return -1;
        }

        Bytes replaceEscape(int value, int with) {
            if (indexOfEscape(value) < 0) {
                return this;
            }
            Bytes out = new Bytes(length);
            for (int i = 0; i < length; i++) {
                if (bytes[i] == '%' && i + 2 < length && escapedValue(i) == value) {
                    out.add(with);
                    i += 2;
                } else {
                    out.add(bytes[i]);
                }
            }
            return out;
        }

        private int escapedValue(int at) {
            if (at + 2 >= length) {
                return -1;
            }
            int high = Character.digit(bytes[at + 1], 16);
            int low = Character.digit(bytes[at + 2], 16);
            return high < 0 || low < 0 ? -1 : high << 4 | low;
        }

        boolean hasEncodedControl() {
            for (int i = 0; i + 2 < length; i++) {
                if (bytes[i] == '%') {
                    int value = escapedValue(i);
                    if (value >= 0 && (value < 0x20 || value == 0x7f)) {
                        return true;
                    }
                }
            }
            return false;
        }

        boolean hasHighBytes() {
            for (int i = 0; i < length; i++) {
                if (bytes[i] < 0) {
                    return true;
                }
            }
            return false;
        }

        Bytes slice(int from, int to) {
            Bytes out = new Bytes(to - from);
            System.arraycopy(bytes, from, out.bytes, 0, to - from);
            out.length = to - from;
            return out;
        }

        Bytes percentDecoded() {
            if (indexOf('%') < 0) {
                return this;
            }
            Bytes out = new Bytes(length);
            for (int i = 0; i < length; i++) {
                int value = bytes[i] == '%' ? escapedValue(i) : -1;
                if (value >= 0) {
                    out.add(value);
                    i += 2;
                } else {
                    out.add(bytes[i]);
                }
            }
            return out;
        }

        ByteBuffer asBuffer() {
            return ByteBuffer.wrap(bytes, 0, length);
        }

        String toLatin1() {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
    }
}
