package io.gatehouse.fcgi.responder;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.Map;

import io.gatehouse.fcgi.RecordType;

/**
 * One request and its response, as handed to the application.
 *
 * <p>Not thread-safe: used by the connection's thread.
 */
final class Exchange implements FcgiRequest, FcgiResponse {

    private final ActiveRequest request;
    private final Map<String, String> params;
    private final RequestBodyStream body;
    private final RecordOutputStream stdout;
    private final RecordOutputStream stderr;
    private int appStatus;

    Exchange(ResponderConnection connection, ActiveRequest request) {
        this.request = request;
        this.params = Collections.unmodifiableMap(request.params());
        this.body = new RequestBodyStream(connection, request);
        this.stdout = new RecordOutputStream(connection, request.id, RecordType.STDOUT);
        this.stderr = new RecordOutputStream(connection, request.id, RecordType.STDERR);
    }

    @Override
    public Map<String, String> params() {
        return params;
    }

    @Override
    public InputStream body() {
        return body;
    }

    @Override
    public int requestId() {
        return request.id;
    }

    @Override
    public OutputStream stdout() {
        return stdout;
    }

    @Override
    public OutputStream stderr() {
        return stderr;
    }

    @Override
    public void appStatus(int status) {
        appStatus = status;
    }

    int appStatusValue() {
        return appStatus;
    }

    RecordOutputStream stdoutStream() {
        return stdout;
    }

    RecordOutputStream stderrStream() {
        return stderr;
    }

    RequestBodyStream bodyStream() {
        return body;
    }
}
