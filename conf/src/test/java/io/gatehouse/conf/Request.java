package io.gatehouse.conf;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A request for condition tests; headers are matched case-insensitively. */
record Request(String host, String urlPath, String queryString, String remoteIp, String method, String scheme,
        Map<String, String> headers, String serverSocket) implements RequestFacts {

    static Request get(String host, String urlPath) {
        return new Request(host, urlPath, "", "127.0.0.1", "GET", "http", Map.of(), "0.0.0.0:80");
    }

    Request withQuery(String query) {
        return new Request(host, urlPath, query, remoteIp, method, scheme, headers, serverSocket);
    }

    Request withRemoteIp(String ip) {
        return new Request(host, urlPath, queryString, ip, method, scheme, headers, serverSocket);
    }

    Request withMethod(String newMethod) {
        return new Request(host, urlPath, queryString, remoteIp, newMethod, scheme, headers, serverSocket);
    }

    Request withScheme(String newScheme) {
        return new Request(host, urlPath, queryString, remoteIp, method, newScheme, headers, serverSocket);
    }

    Request withHeader(String name, String value) {
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        copy.put(name, value);
        return new Request(host, urlPath, queryString, remoteIp, method, scheme, copy, serverSocket);
    }

    Request onSocket(String token) {
        return new Request(host, urlPath, queryString, remoteIp, method, scheme, headers, token);
    }

    @Override
    public String header(String name) {
        for (Map.Entry<String, String> entry : headers.entrySet()) {
            if (entry.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return entry.getValue();
            }
        }
        return "";
    }
}
