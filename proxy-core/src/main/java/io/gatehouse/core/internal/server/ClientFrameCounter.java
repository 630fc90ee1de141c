package io.gatehouse.core.internal.server;

import java.nio.ByteBuffer;

/**
 * Looks at every byte an HTTP/2 client sends before Undertow's frame parser does, and says when
 * the connection has gone beyond a limit: {@link Http2FrameCounter} for connections that are
 * HTTP/2 from their first byte, {@link H2cFrameCounter} for plain ones that may become HTTP/2.
 */
interface ClientFrameCounter {

    /**
     * Counts the frames in {@code bytes} (position to limit, left unchanged).
     *
     * @return {@link Http2FrameCounter.Verdict#ACCEPTED}, or the budget the connection has gone beyond
     */
    Http2FrameCounter.Verdict accept(ByteBuffer bytes, long now);

    /**
     * True when the bytes so far end with a whole frame of a header block that more CONTINUATION
     * frames still continue (a HEADERS or CONTINUATION frame without END_HEADERS).
     */
    boolean endsInsideHeaderBlock();
}
