package io.gatehouse.core.internal.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a protocol client delivers what the backend answers. */
public interface ResponseSink {

    /** CGI response bytes (headers, then body); {@code data} is valid only during the call. */
    void stdout(ByteBuffer data) throws IOException;

    /** FastCGI STDERR content: goes to the error log. */
    void stderr(ByteBuffer data);
}
