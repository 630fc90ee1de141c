/**
 * CGI both ways: the request's CGI environment as lighttpd builds it ({@link
 * io.gatehouse.core.internal.cgi.CgiEnvironment}, written variable by variable into a {@link
 * io.gatehouse.core.internal.cgi.CgiVariables}), and the CGI response a FastCGI or SCGI backend
 * sends back: {@link io.gatehouse.core.internal.cgi.CgiResponseParser} reads its header block
 * (Status, Location, framing and hop-by-hop headers, as lighttpd does) and {@link
 * io.gatehouse.core.internal.cgi.ChunkedBodyDecoder} removes chunked framing from a body.
 *
 * <p>No sockets or threads. Every malformed response is reported as a {@link
 * io.gatehouse.core.internal.cgi.BadGatewayException}, which the gateway answers with 502; a
 * request that cannot be passed on as it is, as a {@link
 * io.gatehouse.core.internal.cgi.BadRequestException} with its status.
 */
package io.gatehouse.core.internal.cgi;
