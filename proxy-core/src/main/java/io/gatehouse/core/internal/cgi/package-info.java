/**
 * The CGI response a FastCGI or SCGI backend sends back: {@link
 * io.gatehouse.core.internal.cgi.CgiResponseParser} reads its header block (Status, Location,
 * framing and hop-by-hop headers, as lighttpd does) and {@link
 * io.gatehouse.core.internal.cgi.ChunkedBodyDecoder} removes chunked framing from a body.
 *
 * <p>Pure byte work: {@code ByteBuffer} in, objects out, no sockets, threads or Undertow. Every
 * malformed response is reported as a {@link io.gatehouse.core.internal.cgi.BadGatewayException},
 * which the gateway answers with 502.
 */
package io.gatehouse.core.internal.cgi;
