package io.gatehouse.core.internal.log;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.TreeMap;

/** A finished request with plain fields, preset to one typical proxied PHP request; tests change what they need. */
final class SampleEntry implements AccessLogEntry {

    String remoteAddr = "192.0.2.7";
    String localAddr = "127.0.0.1";
    int localPort = 8080;
    String remoteUser;
    ZonedDateTime startTime = ZonedDateTime.of(2026, 11, 21, 19, 11, 39, 250_000_000, ZoneOffset.UTC);
    long durationNanos = 1_500_000;
    String requestLine = "GET /index.php?a=1 HTTP/1.1";
    String method = "GET";
    String protocol = "HTTP/1.1";
    String urlPath = "/index.php";
    String queryString = "a=1";
    int status = 200;
    long bytesSent = 1234;
    long bytesReceived = 210;
    final Map<String, String> requestHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    final Map<String, String> responseHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    String host = "example.com:8080";
    String physicalPath = "/srv/www/index.php";
    boolean keepAlive = true;
    boolean aborted;

    SampleEntry() {
        requestHeaders.put("Host", "example.com:8080");
        requestHeaders.put("Referer", "http://ref.example/");
        requestHeaders.put("User-Agent", "curl/8.5.0");
        requestHeaders.put("Cookie", "a=1; sid=xyz ; b=2");
        responseHeaders.put("Content-Type", "text/html");
    }

    @Override
    public String remoteAddr() {
        return remoteAddr;
    }

    @Override
    public String localAddr() {
        return localAddr;
    }

    @Override
    public int localPort() {
        return localPort;
    }

    @Override
    public String remoteUser() {
        return remoteUser;
    }

    @Override
    public ZonedDateTime startTime() {
        return startTime;
    }

    @Override
    public long durationNanos() {
        return durationNanos;
    }

    @Override
    public String requestLine() {
        return requestLine;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public String urlPath() {
        return urlPath;
    }

    @Override
    public String queryString() {
        return queryString;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public String requestHeader(String name) {
        return requestHeaders.get(name);
    }

    @Override
    public String responseHeader(String name) {
        return responseHeaders.get(name);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public String physicalPath() {
        return physicalPath;
    }

    @Override
    public boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public boolean aborted() {
        return aborted;
    }
}
