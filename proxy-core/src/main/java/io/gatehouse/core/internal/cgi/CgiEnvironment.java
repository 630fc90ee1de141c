package io.gatehouse.core.internal.cgi;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.gatehouse.conf.BackendConfig;
import io.gatehouse.core.internal.cgi.BadRequestException;
import io.gatehouse.core.internal.http.RequestTarget;
import io.gatehouse.core.internal.route.RouteMatch;
import io.gatehouse.core.internal.tls.TlsCgiVariables;
import io.undertow.server.SSLSessionInfo;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;

/**
 * Builds the CGI/1.1 variables for one request, in the order lighttpd's {@code http_cgi_headers}
 * sends them: CONTENT_LENGTH first (SCGI requires it, php-fpm hangs without it), QUERY_STRING
 * always, then the URI, script and server variables, then the request headers as HTTP_*.
 * Headers with empty values are skipped, {@code Proxy} is never forwarded (httpoxy), nor is
 * {@code Transfer-Encoding}: a chunked body reaches the backend whole, with its CONTENT_LENGTH,
 * and a framework that reads HTTP_TRANSFER_ENCODING {@code chunked} as "no length" (Werkzeug
 * does) would read it as empty; lighttpd drops it too. A header
 * whose name only differs from another by punctuation other than '-' is refused with 400, since a
 * backend could not tell the two apart. Over TLS, mod_openssl's variables follow the headers
 * ({@link TlsCgiVariables}).
 *
 * <p>Stateless and thread-safe.
 */
public final class CgiEnvironment {

    /** Header names whose look-alikes ({@code User_Agent}, {@code X-Forwarded_For}) are refused. */
    private static final Set<String> KNOWN_HEADERS = Set.of("accept", "accept-charset", "accept-encoding",
            "accept-language", "authorization", "cache-control", "connection", "content-length", "content-type",
            "content-encoding", "content-language", "cookie", "date", "expect", "forwarded", "from", "host",
            "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "max-forwards",
            "origin", "pragma", "proxy", "proxy-authorization", "range", "referer", "te", "transfer-encoding",
            "upgrade", "user-agent", "via", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
            "x-real-ip", "x-requested-with", "https", "dnt");

    private CgiEnvironment() {
    }

    /** Hands the variables to {@code out} one by one, in order; a name is never given twice. */
    public static <X extends Exception> void write(HttpServerExchange exchange, RouteMatch match, String listenerPort,
            String serverSoftware, long contentLength, CgiVariables<X> out) throws BadRequestException, X {
        BackendConfig backend = match.firstBackend();
        out.put("CONTENT_LENGTH", Long.toString(contentLength));
        RequestTarget target = RequestTarget.of(exchange);
        out.put("QUERY_STRING", target.query());
        out.put("REQUEST_URI", requestUri(target.raw(), backend));
        out.put("REDIRECT_STATUS", "200");
        out.put("SCRIPT_NAME", ByteStrings.fromUtf8(match.scriptName()));
        if (!match.pathInfo().isEmpty()) {
            String pathInfo = ByteStrings.fromUtf8(match.pathInfo());
            out.put("PATH_INFO", pathInfo);
            out.put("PATH_TRANSLATED", ByteStrings.fromUtf8(match.documentRoot()) + pathInfo);
        }
        out.put("SCRIPT_FILENAME", ByteStrings.fromUtf8(match.scriptFilename()));
        out.put("DOCUMENT_ROOT", ByteStrings.fromUtf8(match.documentRoot()));
        out.put("REQUEST_METHOD", exchange.getRequestMethod().toString());
        out.put("SERVER_PROTOCOL", exchange.getProtocol().toString());
        out.put("SERVER_SOFTWARE", serverSoftware);
        out.put("GATEWAY_INTERFACE", "CGI/1.1");
        String scheme = exchange.getRequestScheme();
        out.put("REQUEST_SCHEME", scheme);
        if ("https".equals(scheme)) {
            out.put("HTTPS", "on");
        }
        out.put("SERVER_PORT", listenerPort);
        InetSocketAddress local = exchange.getDestinationAddress();
        out.put("SERVER_ADDR", local == null || local.getAddress() == null ? "" : local.getAddress().getHostAddress());
        out.put("SERVER_NAME", serverName(exchange.getRequestHeaders().getFirst("Host")));
        InetSocketAddress remote = exchange.getSourceAddress();
        out.put("REMOTE_ADDR", remote == null || remote.getAddress() == null ? "" : remote.getAddress().getHostAddress());
        out.put("REMOTE_PORT", remote == null ? "0" : Integer.toString(remote.getPort()));
        writeHeaders(exchange, out);
        SSLSessionInfo tls = exchange.getConnection().getSslSessionInfo();
        if (tls != null && tls.getSSLSession() != null) {
            for (Map.Entry<String, String> variable : TlsCgiVariables.of(tls.getSSLSession()).entrySet()) {
                out.put(variable.getKey(), variable.getValue());
            }
        }
    }

    /** The target as received; {@code strip-request-uri} removes its prefix as lighttpd does. */
    private static String requestUri(String uri, BackendConfig backend) {
        if (backend.stripRequestUri().isPresent()) {
            String prefix = backend.stripRequestUri().get();
            if (prefix.endsWith("/")) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
            if (uri.startsWith(prefix) && uri.length() > prefix.length() && uri.charAt(prefix.length()) == '/') {
                uri = uri.substring(prefix.length());
            }
        }
        return uri;
    }

    private static String serverName(String host) {
        if (host == null) {
            return "";
        }
        int end = host.length();
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(']', colon) < 0) {
            end = colon;
        }
        return host.substring(0, end);
    }

    private static <X extends Exception> void writeHeaders(HttpServerExchange exchange, CgiVariables<X> out)
            throws BadRequestException, X {
        Map<String, String> seenByNormalisedName = null;
        Set<String> punctuatedVariables = null;
        for (HeaderValues values : exchange.getRequestHeaders()) {
            String name = values.getHeaderName().toString();
            if (name.equalsIgnoreCase("Proxy") || name.equalsIgnoreCase("Content-Length")
                    || name.equalsIgnoreCase("Transfer-Encoding")) {
                continue;
            }
            String value = join(name, values);
            if (value.isEmpty()) {
                continue;
            }
            String variable = variableName(name);
            if (hasOtherPunctuation(name)) {
                if (seenByNormalisedName == null) {
                    seenByNormalisedName = normalisedNames(exchange);
                    punctuatedVariables = new HashSet<>();
                }
                String normalised = normalise(name);
                if (KNOWN_HEADERS.contains(normalised) || seenByNormalisedName.containsKey(normalised)
                        || !punctuatedVariables.add(variable)) {
                    throw new BadRequestException(400, "request header '" + name
                            + "' would be indistinguishable from '" + normalised + "' as a CGI variable");
                }
            }
            out.put(variable, value);
        }
    }

    private static String join(String name, HeaderValues values) {
        if (values.size() == 1) {
            return values.getFirst();
        }
        String separator = name.equalsIgnoreCase("Cookie") ? "; " : ", ";
        StringBuilder joined = new StringBuilder();
        for (String v : values) {
            if (v.isEmpty()) {
                continue;
            }
            if (joined.length() > 0) {
                joined.append(separator);
            }
            joined.append(v);
        }
        return joined.toString();
    }

    /** Lower-case names of the headers that use only letters, digits and '-'. */
    private static Map<String, String> normalisedNames(HttpServerExchange exchange) {
        Map<String, String> names = new HashMap<>();
        for (HeaderValues values : exchange.getRequestHeaders()) {
            String name = values.getHeaderName().toString();
            if (!hasOtherPunctuation(name)) {
                names.put(name.toLowerCase(Locale.ROOT), name);
            }
        }
        return names;
    }

    private static boolean hasOtherPunctuation(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '-') {
                return true;
            }
        }
        return false;
    }

    private static String normalise(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            b.append(Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : '-');
        }
        return b.toString();
    }

    private static String variableName(String header) {
        if (header.equalsIgnoreCase("Content-Type")) {
            return "CONTENT_TYPE";
        }
        StringBuilder b = new StringBuilder(header.length() + 5).append("HTTP_");
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c >= 'a' && c <= 'z') {
                b.append((char) (c - 32));
            } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                b.append(c);
            } else {
                b.append('_');
            }
        }
        return b.toString();
    }
}
