package io.gatehouse.fcgi.responder;

import java.io.OutputStream;

/**
 * The answer to one FastCGI request as a responder application writes it.
 *
 * <p>Not thread-safe: use it from the thread that runs {@link FcgiApplication#handle}, and only
 * while that call lasts.
 */
public interface FcgiResponse {

    /**
     * The STDOUT stream: CGI headers, a blank line, the body. Bytes go out in STDOUT records as the
     * buffer fills (64 KiB) and on {@code flush()}; the stream is ended when {@code handle} returns.
     */
    OutputStream stdout();

    /** The STDERR stream, which web servers log; sent on {@code flush()}, when full and at the end. */
    OutputStream stderr();

    /** The application status END_REQUEST reports (the CGI exit status); 0 unless set. */
    void appStatus(int status);
}
